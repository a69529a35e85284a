#!/usr/bin/env python3
"""Benchmark corpora for leakgate, built from real code on this machine.

  corpus.py history OUT [--commits N]              a git history of N commits (default 5000)
  corpus.py staged OUT [--files N] [--change K]    an N-file repository (default 100000) with
                                                   K modified files staged (default 20)
  corpus.py tree OUT [--mb N]                      a directory of about N MB (default 200)

Content is real source code: the Python standard library of this interpreter (or
`--source DIR`), edited the way a project evolves (files added, edited in place,
renamed, deleted). Fake credentials with the documented shape of real ones (checksums
and Luhn digits included) are planted at known places, and OUT.answers.json lists each
one: kind, secret, path, line and, for histories, the commit that introduced it.

The same arguments give the same corpus, byte for byte (commit ids included): every
choice comes from one seeded random generator, every date is fixed, and the source
files are read in sorted order. The planted values are random and belong to no one.
Histories are written with `git fast-import`, then packed as `git gc` would pack them.
"""

import argparse
import base64
import json
import os
import random
import string
import subprocess
import sys
import sysconfig
import zlib

EXTENSIONS = (".py", ".c", ".h", ".txt", ".rst", ".json", ".toml", ".cfg")
MAX_FILE = 256 * 1024
DIGITS62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
LETTERS = string.ascii_letters
ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "-_"
UPPER_NUM = string.ascii_uppercase + string.digits
EPOCH = 1_600_000_000


# ---- source code ---------------------------------------------------------------


def source_pool(root):
    """(relative path, bytes) of every text file of code under root, sorted by path."""
    pool = []
    for top, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "__pycache__", "test"))
        for name in sorted(files):
            if not name.endswith(EXTENSIONS):
                continue
            path = os.path.join(top, name)
            try:
                with open(path, "rb") as f:
                    data = f.read(MAX_FILE + 1)
            except OSError:
                continue
            if 0 < len(data) <= MAX_FILE and b"\0" not in data:
                pool.append((os.path.relpath(path, root), data))
    if len(pool) < 50:
        sys.exit(f"corpus.py: fewer than 50 source files under {root}; pass --source DIR")
    return pool


# ---- fake credentials ----------------------------------------------------------


def pick(rng, alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def crc32_base62(payload):
    """GitHub's and npm's token checksum: CRC32 of the payload, 6 base62 digits."""
    n = zlib.crc32(payload.encode())
    out = ""
    for _ in range(6):
        out = DIGITS62[n % 62] + out
        n //= 62
    return out


def luhn_number(rng, prefix, length):
    digits = [int(c) for c in prefix] + [rng.randrange(10) for _ in range(length - len(prefix) - 1)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def pem_body(rng):
    """A 1190-byte RSA key DER body (random integers), as 64-column base64 lines."""
    der = bytes([0x30, 0x82, 0x04, 0xA2, 0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01, 0x00])
    der += bytes(rng.randrange(256) for _ in range(1178))
    text = base64.b64encode(der).decode()
    return [text[i : i + 64] for i in range(0, len(text), 64)]


def token(rng, kind):
    """A fake credential of this kind, with the documented shape (prefix, alphabet,
    length, checksum)."""
    if kind in ("github-classic-pat", "npm-access-token"):
        body = pick(rng, ALNUM, 30)
        return ("npm_" if kind[0] == "n" else "ghp_") + body + crc32_base62(body)
    if kind == "gitlab-pat":
        return "glpat-" + pick(rng, URLSAFE, 20)
    if kind == "slack-bot-token":
        return f"xoxb-{rng.randrange(10**11, 10**12)}-{rng.randrange(10**12, 10**13)}-{pick(rng, ALNUM, 24)}"
    if kind == "slack-webhook-url":
        return (f"https://hooks.slack.com/services/T{pick(rng, UPPER_NUM, 10)}"
                f"/B{pick(rng, UPPER_NUM, 10)}/{pick(rng, ALNUM, 24)}")
    if kind == "stripe-live-secret-key":
        return "sk_live_" + pick(rng, ALNUM, 99)
    if kind == "openai-project-key":
        return "sk-proj-" + pick(rng, URLSAFE, 74) + "T3BlbkFJ" + pick(rng, URLSAFE, 74)
    if kind == "anthropic-api-key":
        return "sk-ant-api03-" + pick(rng, URLSAFE, 93) + "AA"
    if kind == "huggingface-user-token":
        return "hf_" + pick(rng, LETTERS, 34)
    if kind == "gcp-api-key":
        return "AIza" + pick(rng, URLSAFE, 35)
    if kind == "sendgrid-api-key":
        return f"SG.{pick(rng, URLSAFE, 22)}.{pick(rng, URLSAFE, 43)}"
    if kind == "aws-access-key-id":
        return "AKIA" + pick(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
    if kind == "aws-secret-access-key":
        return pick(rng, ALNUM + "+/", 40)
    if kind == "payment-card-number":
        return luhn_number(rng, rng.choice(["4", "51", "55", "2221", "6011"]), 16)
    if kind in ("generic-password-assignment", "url-password-postgres"):
        return pick(rng, ALNUM, 20)
    raise ValueError(kind)


KINDS = [
    "github-classic-pat", "npm-access-token", "gitlab-pat", "slack-bot-token",
    "slack-webhook-url", "stripe-live-secret-key", "openai-project-key", "anthropic-api-key",
    "huggingface-user-token", "gcp-api-key", "sendgrid-api-key", "url-password-postgres",
    "payment-card-number", "generic-password-assignment", "private-key-rsa", "aws",
]

NAMES = {
    "generic-password-assignment": "DB_PASSWORD", "url-password-postgres": "DATABASE_URL",
    "payment-card-number": "TEST_CARD_NUMBER", "aws-access-key-id": "AWS_ACCESS_KEY_ID",
    "aws-secret-access-key": "AWS_SECRET_ACCESS_KEY",
}


def assignment(ext, name, value):
    """`name = "value"` in the syntax of a file with this extension."""
    if ext in (".c", ".h"):
        return f'static const char *{name.lower()} = "{value}";'
    if ext in (".py",):
        return f'{name} = "{value}"'
    return f'{name.lower()}: "{value}"'


def snippet(rng, ext):
    """Lines to plant in a file with this extension, and what they hold as
    [(kind, secret, index of its line in the snippet)]."""
    kind = rng.choice(KINDS)
    comment = "/* {} */" if ext in (".c", ".h") else "# {}"
    if kind == "aws":
        key_id, secret = token(rng, "aws-access-key-id"), token(rng, "aws-secret-access-key")
        return ([assignment(ext, NAMES["aws-access-key-id"], key_id),
                 assignment(ext, NAMES["aws-secret-access-key"], secret)],
                [("aws-access-key-id", key_id, 0), ("aws-secret-access-key", secret, 1)])
    if kind == "private-key-rsa":
        body = pem_body(rng)
        pem = ["-----BEGIN RSA PRIVATE KEY-----", *body, "-----END RSA PRIVATE KEY-----"]
        if ext == ".py":
            pem[0], pem[-1] = 'DEPLOY_KEY = """' + pem[0], pem[-1] + '"""'
            return pem, [(kind, body[0], 1)]
        if ext in (".c", ".h"):
            return ["/* deploy key", *pem, "*/"], [(kind, body[0], 2)]
        # Scanners report a key at its body's first line.
        return pem, [(kind, body[0], 1)]
    secret = token(rng, kind)
    name = NAMES.get(kind, "API_TOKEN")
    if kind == "url-password-postgres":
        user = "app_" + pick(rng, string.ascii_lowercase, 5)
        value = f"postgres://{user}:{secret}@db.internal:5432/orders"
        return [assignment(ext, name, value)], [(kind, secret, 0)]
    if kind == "payment-card-number":
        return ([comment.format("card number for the payment retry test"),
                 assignment(ext, name, secret)], [(kind, secret, 1)])
    return [assignment(ext, name, secret)], [(kind, secret, 0)]


def plant(rng, data, path, at_line=None):
    """data with a snippet inserted before line `at_line` (0-based; random if None).
    Returns (new data, [(kind, secret, 1-based line)])."""
    lines = data.split(b"\n")
    if at_line is None:
        at_line = rng.randrange(len(lines))
    new, planted = snippet(rng, os.path.splitext(path)[1])
    lines[at_line:at_line] = [l.encode() for l in new]
    return b"\n".join(lines), [(k, s, at_line + i + 1) for k, s, i in planted]


# ---- git -----------------------------------------------------------------------


class FastImport:
    """Writes commits to `git fast-import` on branch main, with fixed dates."""

    def __init__(self, repo):
        subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True)
        self.marks = os.path.join(repo, ".git", "corpus-marks")
        self.proc = subprocess.Popen(
            ["git", "-C", repo, "fast-import", "--quiet", f"--export-marks={self.marks}"],
            stdin=subprocess.PIPE,
        )
        self.out = self.proc.stdin
        self.count = 0

    def commit(self, message, changes):
        """changes: [(path, bytes or None to delete)]. Returns the commit's mark."""
        self.count += 1
        when = EPOCH + 3600 * self.count
        msg = message.encode()
        w = self.out.write
        w(b"commit refs/heads/main\nmark :%d\n" % self.count)
        w(b"author Dev <dev@example.com> %d +0000\n" % when)
        w(b"committer Dev <dev@example.com> %d +0000\n" % when)
        w(b"data %d\n%s\n" % (len(msg), msg))
        for path, data in changes:
            p = path.encode()
            if data is None:
                w(b"D %s\n" % p)
            else:
                w(b"M 100644 inline %s\ndata %d\n%s\n" % (p, len(data), data))
        w(b"\n")
        return self.count

    def finish(self):
        """Closes the stream; returns {mark: commit id}."""
        self.out.close()
        if self.proc.wait() != 0:
            sys.exit("corpus.py: git fast-import failed")
        ids = {}
        with open(self.marks) as f:
            for line in f:
                mark, oid = line.split()
                ids[int(mark[1:])] = oid
        os.remove(self.marks)
        return ids


def git(repo, *args):
    subprocess.run(["git", "-C", repo, *args], check=True)


# ---- corpora -------------------------------------------------------------------


def edit(rng, data, donor):
    """data with a run of lines replaced by, or extended with, lines of a donor file
    (the way code changes: a function rewritten, a block added). Returns (new data,
    0-based line where the new text starts)."""
    lines = data.split(b"\n")
    donor_lines = donor.split(b"\n")
    n = rng.randint(3, 60)
    start = rng.randrange(max(1, len(donor_lines) - n))
    new = donor_lines[start : start + n]
    at = rng.randrange(len(lines) + 1)
    drop = rng.choice([0, 0, rng.randint(1, 30)])
    lines[at : at + drop] = new
    out = b"\n".join(lines)
    if len(out) > MAX_FILE:  # keep files real-sized: drop the tail
        out = out[:MAX_FILE].rsplit(b"\n", 1)[0]
    return out, at


def build_history(args, rng, pool):
    out = args.out
    fi = FastImport(out)
    files = {}  # path -> bytes, the tree of the current commit
    planted = []
    fresh = list(range(len(pool)))
    rng.shuffle(fresh)

    def new_path(rel):
        path = "src/" + rel
        n = 2
        while path in files:
            stem, ext = os.path.splitext(rel)
            path = f"src/{stem}_{n}{ext}"
            n += 1
        return path

    def take_new():
        i = fresh.pop() if fresh else rng.randrange(len(pool))
        rel, data = pool[i]
        path = new_path(rel)
        if path != "src/" + rel:  # a second copy: make it its own blob
            data = b"# vendored copy %d\n" % (len(files)) + data
        return path, data

    first = [take_new() for _ in range(min(args.initial, len(pool)))]
    for path, data in first:
        files[path] = data
    pending = [(fi.commit("Initial import", first), [])]

    for i in range(1, args.commits):
        changes = {}
        secrets = []
        for _ in range(rng.choice([1, 1, 2, 2, 3, 4, 5])):
            r = rng.random()
            paths = sorted(files)
            if r < 0.62 and paths:
                path = rng.choice(paths)
                data, at = edit(rng, files[path], pool[rng.randrange(len(pool))][1])
            elif r < 0.90 or len(paths) < 100:
                path, data = take_new()
                at = rng.randrange(data.count(b"\n") + 1)
            elif r < 0.96:
                path = rng.choice(paths)
                del files[path]
                changes[path] = None
                continue
            else:  # a rename with a small edit
                old = rng.choice(paths)
                path = new_path("moved/" + old[len("src/"):])
                data, at = edit(rng, files.pop(old), pool[rng.randrange(len(pool))][1])
                changes[old] = None
            if rng.random() < args.secret_rate:
                data, put = plant(rng, data, path, at)
                secrets += [(k, s, path, line) for k, s, line in put]
            files[path] = data
            changes[path] = data
        if not changes:
            path, data = take_new()
            files[path] = data
            changes[path] = data
        mark = fi.commit(f"Change {i}", sorted(changes.items()))
        pending.append((mark, secrets))
    ids = fi.finish()
    # A later commit of the same stream can rewrite a line before the secret's line,
    # but the answer is the introducing commit, where the line is as recorded.
    for mark, secrets in pending:
        for kind, secret, path, line in secrets:
            planted.append({"kind": kind, "secret": secret, "path": path, "line": line,
                            "commit": ids[mark]})
    git(out, "-c", "pack.threads=1", "repack", "-adq", "--window=10", "--depth=50")
    git(out, "prune-packed")
    git(out, "checkout", "-q", "-f", "main")
    return planted


def slices(rng, pool, count, max_bytes):
    """`count` small files cut from the pool: (relative path, bytes), each unique."""
    for n in range(count):
        rel, data = pool[n % len(pool)]
        lines = data.split(b"\n")
        start = rng.randrange(len(lines))
        piece = b"\n".join(lines[start : start + rng.randint(5, 80)])[:max_bytes]
        stem, ext = os.path.splitext(rel)
        yield f"pkg{n // 1000:03d}/{stem.replace(os.sep, '_')}_{n}{ext}", piece + b"\n"


def build_staged(args, rng, pool):
    out = args.out
    fi = FastImport(out)
    files = list(slices(rng, pool, args.files, args.max_bytes))
    fi.commit("Import", files)
    fi.finish()
    git(out, "checkout", "-q", "-f", "main")
    planted = []
    for n in sorted(rng.sample(range(len(files)), args.change)):
        path, data = files[n]
        at = data.count(b"\n")
        data, _ = edit(rng, data, pool[rng.randrange(len(pool))][1])
        if n % 4 == 0 or not planted:
            data, put = plant(rng, data, path, min(at, data.count(b"\n")))
            planted += [{"kind": k, "secret": s, "path": path, "line": line, "staged": True}
                        for k, s, line in put]
        with open(os.path.join(out, path), "wb") as f:
            f.write(data)
        git(out, "add", "--", path)
    return planted


def build_tree(args, rng, pool):
    out = args.out
    os.makedirs(out)
    planted = []
    total, copy = 0, 0
    while total < args.mb * 1_000_000:
        for rel, data in pool:
            if total >= args.mb * 1_000_000:
                break
            path = f"copy{copy:02d}/{rel}"
            if rng.random() < args.secret_rate:
                data, put = plant(rng, data, path)
                planted += [{"kind": k, "secret": s, "path": path, "line": line} for k, s, line in put]
            full = os.path.join(out, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(data)
            total += len(data)
        copy += 1
    return planted


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("kind", choices=["history", "staged", "tree"])
    p.add_argument("out", help="directory to create (must not exist)")
    p.add_argument("--source", default=sysconfig.get_paths()["stdlib"],
                   help="real code to build from (default: this Python's standard library)")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--commits", type=int, default=5000, help="history: commits")
    p.add_argument("--initial", type=int, default=300, help="history: files of the first commit")
    p.add_argument("--files", type=int, default=100_000, help="staged: files in the repository")
    p.add_argument("--max-bytes", type=int, default=2048, help="staged: largest file")
    p.add_argument("--change", type=int, default=20, help="staged: files modified and staged")
    p.add_argument("--mb", type=int, default=200, help="tree: size in MB")
    p.add_argument("--secret-rate", type=float, default=0.01,
                   help="history/tree: chance that a changed or written file gets a secret")
    args = p.parse_args()
    args.out = os.path.abspath(args.out)
    if os.path.exists(args.out):
        sys.exit(f"corpus.py: {args.out} exists; remove it or pick another directory")
    rng = random.Random(f"{args.kind}/{args.seed}")
    pool = source_pool(args.source)
    build = {"history": build_history, "staged": build_staged, "tree": build_tree}[args.kind]
    planted = build(args, rng, pool)
    key = args.out.rstrip("/") + ".answers.json"
    with open(key, "w") as f:
        json.dump({"corpus": args.kind, "seed": args.seed, "planted": planted}, f, indent=1)
    print(f"{args.out}: {args.kind} corpus, {len(planted)} planted secrets (answer key {key})")


if __name__ == "__main__":
    main()
