//! Property test: what `leakgate staged` judges is what `git diff --cached -M -C`
//! says the staged change adds, on randomly generated changes in real
//! repositories (index versions 2 and 4).
//!
//! Every line ever written carries a unique marker token (`mk` + 10 hex digits +
//! `q`) and the config runs one rule that finds exactly that token, so the JSON
//! report's findings are the (path, line) pairs leakgate judged as added, and its
//! `summary.files` the number of files it judged. Git's side comes from
//! `--raw` (paths, statuses, modes, blob ids) and a `-U0 --histogram` patch (the
//! added lines; leakgate diffs lines with the histogram algorithm too).
//!
//! Where the two differ by design, the expectation is leakgate's rule, spelt out
//! in [`expected`]:
//! - a renamed or copied file (`R`, `C`) is judged whole at its new path (the
//!   README's rename policy: moving a secret out of an allowed path is a new
//!   finding), where git shows only the lines the move changed;
//! - a mode-only change (`M` with the same blob) and anything whose new side is a
//!   symlink, a deletion, or a gitlink, is not judged at all;
//! - a symlink turned into a file (`T`) is judged against the link's text as its
//!   old content, where git's patch shows the whole file added; the two agree
//!   here because no marker line is ever a link target.
//!
//! The generator makes edits (insertions, deletions, replacements, a final
//! newline dropped or restored, CRLF lines), new files, deletions, renames with
//! and without edits, copies of modified files, executable-bit changes, file to
//! symlink and back, a file replaced by a directory, and work-tree edits left
//! unstaged (which must not be judged); sometimes `git write-tree` makes the
//! cache tree fully valid first, so the cache-tree skip is tested both ways.
//! Seeds are fixed: a failure prints its seed and the operations, and
//! `STAGED_PROPERTY_SEED=N` reruns that one case.

mod common;

use common::{all_output, git_cmd, leakgate, Repo};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Cases per index version.
const CASES: u64 = 20;

/// The one rule the scans run: finds each line's marker.
const CONFIG: &str = r#"bundled_rules: false
rules:
  - id: line-marker
    name: Line marker
    severity: high
    keywords: [mk]
    pattern: '\b(mk[0-9a-f]{10}q)\b'
    allow_placeholders: true
"#;

/// splitmix64: a small deterministic generator, so every case is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// What a path holds in the index, as the test staged it.
#[derive(Clone, Debug)]
enum Node {
    File { lines: Vec<String>, exec: bool },
    Link(String),
}

/// One generated case: a repository, the generator, and a log of what was done.
struct Case {
    repo: Repo,
    rng: Rng,
    token: u64,
    staged: BTreeMap<String, Node>,
    log: Vec<String>,
}

const WORDS: &[&str] = &[
    "alpha", "beta", "let x =", "fn", "#", "value:", "  - item", "",
];
const DIRS: &[&str] = &["", "src/", "src/util/", "docs/", "tests/fixtures/"];

impl Case {
    fn new(seed: u64) -> Case {
        Case {
            repo: Repo::new(),
            rng: Rng(seed),
            token: seed.wrapping_mul(7919) % 0xff_ffff_0000,
            staged: BTreeMap::new(),
            log: Vec::new(),
        }
    }

    /// A new line with a unique marker (sometimes ending in CRLF).
    fn line(&mut self) -> String {
        self.token += 1;
        let w = WORDS[self.rng.below(WORDS.len())];
        let end = if self.rng.chance(10) { "\r" } else { "" };
        format!("{w} mk{:010x}q{end}", self.token)
    }

    fn lines(&mut self, max: usize) -> Vec<String> {
        let n = self.rng.below(max + 1);
        (0..n).map(|_| self.line()).collect()
    }

    fn fresh_path(&mut self) -> String {
        loop {
            let dir = DIRS[self.rng.below(DIRS.len())];
            let p = format!("{dir}f{}.txt", self.rng.below(40));
            let clash = self.staged.keys().any(|k| {
                k == &p || k.starts_with(&format!("{p}/")) || p.starts_with(&format!("{k}/"))
            });
            if !clash {
                return p;
            }
        }
    }

    fn pick(&mut self, want_file: bool) -> Option<String> {
        let paths: Vec<String> = self
            .staged
            .iter()
            .filter(|(_, n)| matches!(n, Node::File { .. }) == want_file)
            .map(|(p, _)| p.clone())
            .collect();
        (!paths.is_empty()).then(|| paths[self.rng.below(paths.len())].clone())
    }

    fn abs(&self, path: &str) -> std::path::PathBuf {
        self.repo.path().join(path)
    }

    /// Writes a node to the work tree (replacing whatever is there) and stages it.
    fn put(&mut self, path: &str, node: Node) {
        let abs = self.abs(path);
        remove(&abs);
        std::fs::create_dir_all(abs.parent().unwrap()).unwrap();
        match &node {
            Node::File { lines, exec } => {
                std::fs::write(&abs, render(lines, self.rng.chance(15))).unwrap();
                self.repo.git(&["add", "--", path]);
                let bit = if *exec { "--chmod=+x" } else { "--chmod=-x" };
                self.repo.git(&["update-index", bit, "--", path]);
            }
            Node::Link(target) => {
                std::os::unix::fs::symlink(target, &abs).unwrap();
                self.repo.git(&["add", "--", path]);
            }
        }
        self.staged.insert(path.to_string(), node);
    }

    /// The committed starting point: a few files in a few directories, a symlink or two.
    fn base(&mut self) {
        for _ in 0..3 + self.rng.below(6) {
            let path = self.fresh_path();
            let lines = self.lines(12);
            self.put(&path, Node::File { lines, exec: false });
        }
        for _ in 0..1 + self.rng.below(2) {
            let path = self.fresh_path();
            let target = self.pick(true).unwrap();
            self.put(&path, Node::Link(target));
        }
        self.repo.commit_unchecked("base");
    }

    /// One random staged operation.
    fn operate(&mut self) {
        match self.rng.below(11) {
            0..=2 => self.edit(),
            3 => {
                let path = self.fresh_path();
                let lines = self.lines(10);
                self.log.push(format!("add {path} ({} lines)", lines.len()));
                self.put(&path, Node::File { lines, exec: false });
            }
            4 => {
                if let Some(p) = self.pick(true) {
                    self.log.push(format!("delete {p}"));
                    self.repo.git(&["rm", "-q", "-f", "--", &p]);
                    self.staged.remove(&p);
                }
            }
            5 => self.rename(),
            6 => self.copy(),
            7 => {
                if let Some(p) = self.pick(true) {
                    let Some(Node::File { lines, exec }) = self.staged.get(&p).cloned() else {
                        unreachable!()
                    };
                    self.log.push(format!("chmod {p} exec={}", !exec));
                    let bit = if exec { "--chmod=-x" } else { "--chmod=+x" };
                    self.repo.git(&["update-index", bit, "--", &p]);
                    self.staged.insert(p, Node::File { lines, exec: !exec });
                }
            }
            8 | 9 => self.retype(),
            _ => {
                if let Some(p) = self.pick(true) {
                    let inner = format!("{p}/inner.txt");
                    self.log.push(format!("replace {p} by directory {inner}"));
                    self.repo.git(&["rm", "-q", "-f", "--", &p]);
                    self.staged.remove(&p);
                    let lines = self.lines(5);
                    self.put(&inner, Node::File { lines, exec: false });
                }
            }
        }
    }

    /// Inserts, deletes and replaces lines of a file; may add or drop the final newline.
    fn edit(&mut self) {
        let Some(p) = self.pick(true) else { return };
        let Some(Node::File { mut lines, exec }) = self.staged.get(&p).cloned() else {
            unreachable!()
        };
        for _ in 0..1 + self.rng.below(4) {
            let at = self.rng.below(lines.len() + 1);
            match self.rng.below(3) {
                0 => {
                    let new = self.lines(3);
                    lines.splice(at..at, new);
                }
                1 if at < lines.len() => {
                    lines.remove(at);
                }
                _ if at < lines.len() => lines[at] = self.line(),
                _ => lines.push(self.line()),
            }
        }
        self.log.push(format!("edit {p} -> {} lines", lines.len()));
        self.put(&p, Node::File { lines, exec });
    }

    /// `git mv`, then sometimes a small edit (kept small so git still sees a rename).
    fn rename(&mut self) {
        let Some(p) = self.pick(true) else { return };
        let to = self.fresh_path();
        std::fs::create_dir_all(self.abs(&to).parent().unwrap()).unwrap();
        self.repo.git(&["mv", "--", &p, &to]);
        let node = self.staged.remove(&p).unwrap();
        self.staged.insert(to.clone(), node.clone());
        self.log.push(format!("rename {p} -> {to}"));
        if let (Node::File { mut lines, exec }, true) = (node, self.rng.chance(50)) {
            if lines.len() >= 4 {
                let at = self.rng.below(lines.len());
                lines.insert(at, self.line());
                self.log.push(format!("  and insert a line at {}", at + 1));
                self.put(&to, Node::File { lines, exec });
            }
        }
    }

    /// A copy to a new path, with the source modified (so `-C` can see the copy).
    fn copy(&mut self) {
        let Some(p) = self.pick(true) else { return };
        let Some(Node::File { mut lines, exec }) = self.staged.get(&p).cloned() else {
            unreachable!()
        };
        let to = self.fresh_path();
        self.log.push(format!("copy {p} -> {to}, append to {p}"));
        self.put(
            &to,
            Node::File {
                lines: lines.clone(),
                exec,
            },
        );
        lines.push(self.line());
        self.put(&p, Node::File { lines, exec });
    }

    /// A file becomes a symlink, or a symlink a file.
    fn retype(&mut self) {
        if self.rng.chance(50) {
            if let Some(p) = self.pick(false) {
                let lines = self.lines(6);
                self.log
                    .push(format!("symlink {p} -> file ({} lines)", lines.len()));
                self.put(&p, Node::File { lines, exec: false });
                return;
            }
        }
        let Some(p) = self.pick(true) else { return };
        let target = format!("elsewhere/{}", self.rng.below(100));
        self.log.push(format!("file {p} -> symlink to {target}"));
        self.put(&p, Node::Link(target));
    }

    /// Edits some work-tree files without staging them: never judged.
    fn dirty_worktree(&mut self) {
        for (p, node) in self.staged.clone() {
            if matches!(node, Node::File { .. }) && self.rng.chance(30) {
                let extra = self.line();
                let abs = self.abs(&p);
                let mut text = std::fs::read(&abs).unwrap();
                text.extend_from_slice(format!("{extra}\n").as_bytes());
                std::fs::write(&abs, text).unwrap();
                self.log.push(format!("unstaged edit of {p}"));
            }
        }
    }
}

fn remove(abs: &Path) {
    match std::fs::symlink_metadata(abs) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(abs).unwrap(),
        Ok(_) => std::fs::remove_file(abs).unwrap(),
        Err(_) => {}
    }
}

fn render(lines: &[String], drop_final_newline: bool) -> String {
    let mut text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    if drop_final_newline {
        text.pop();
    }
    text
}

/// One `--raw` record of `git diff`.
#[derive(Debug)]
struct Raw {
    new_mode: u32,
    old_blob: String,
    new_blob: String,
    status: char,
    path: String,
}

fn git(repo: &Repo, args: &[&str]) -> Vec<u8> {
    let out = git_cmd(repo.path()).args(args).output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", all_output(&out));
    out.stdout
}

/// `git diff --cached -M -C --raw -z`: statuses, modes, blob ids and new paths.
fn raw_diff(repo: &Repo) -> Vec<Raw> {
    let out = git(
        repo,
        &["diff", "--cached", "-M", "-C", "--raw", "-z", "--no-abbrev"],
    );
    let text = String::from_utf8(out).unwrap();
    let mut fields = text.split('\0').filter(|s| !s.is_empty());
    let mut raws = Vec::new();
    while let Some(meta) = fields.next() {
        let parts: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        let status = parts[4].chars().next().unwrap();
        let mut path = fields.next().unwrap().to_string();
        if matches!(status, 'R' | 'C') {
            path = fields.next().unwrap().to_string();
        }
        raws.push(Raw {
            new_mode: u32::from_str_radix(parts[1], 8).unwrap(),
            old_blob: parts[2].into(),
            new_blob: parts[3].into(),
            status,
            path,
        });
    }
    raws
}

/// The lines `git diff --cached -M -C --histogram -U0` adds, by new path.
fn added_lines(repo: &Repo) -> BTreeMap<String, BTreeSet<u32>> {
    let args = [
        "diff",
        "--cached",
        "-M",
        "-C",
        "--histogram",
        "-U0",
        "--no-color",
        "--no-ext-diff",
    ];
    let text = String::from_utf8(git(repo, &args)).unwrap();
    let mut out: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    let mut path = None;
    for line in text.lines() {
        if let Some(p) = line.strip_prefix("+++ ") {
            path = p.strip_prefix("b/").map(String::from);
        } else if let (Some(hunk), Some(p)) = (line.strip_prefix("@@ "), &path) {
            let new = hunk.split(' ').nth(1).unwrap().trim_start_matches('+');
            let (start, count) = match new.split_once(',') {
                Some((s, c)) => (s.parse::<u32>().unwrap(), c.parse::<u32>().unwrap()),
                None => (new.parse::<u32>().unwrap(), 1),
            };
            out.entry(p.clone())
                .or_default()
                .extend(start..start + count);
        }
    }
    out
}

fn line_count(repo: &Repo, blob: &str) -> u32 {
    let bytes = git(repo, &["cat-file", "blob", blob]);
    let breaks = bytes.iter().filter(|&&b| b == b'\n').count() as u32;
    breaks + u32::from(bytes.last().is_some_and(|&b| b != b'\n'))
}

fn is_regular(mode: u32) -> bool {
    mode & 0o170000 == 0o100000
}

/// What leakgate must judge, from git's view: each judged path and its added
/// lines (the rules of the module docs).
fn expected(repo: &Repo) -> BTreeMap<String, BTreeSet<u32>> {
    expected_and_kinds(repo).0
}

/// [`expected`], and the kinds of change seen (status letters, `mode` for a
/// mode-only change, `T>link` / `T>file` for type changes).
fn expected_and_kinds(repo: &Repo) -> (BTreeMap<String, BTreeSet<u32>>, BTreeSet<String>) {
    let hunks = added_lines(repo);
    let mut out = BTreeMap::new();
    let mut kinds = BTreeSet::new();
    for r in raw_diff(repo) {
        kinds.insert(match r.status {
            'M' if r.old_blob == r.new_blob => "mode".to_string(),
            'T' if is_regular(r.new_mode) => "T>file".to_string(),
            'T' => "T>link".to_string(),
            s => s.to_string(),
        });
        if r.status == 'D' || !is_regular(r.new_mode) {
            continue; // nothing new, or a symlink / gitlink: not followed
        }
        if r.status == 'M' && r.old_blob == r.new_blob {
            continue; // a mode-only change adds no content
        }
        let lines = match r.status {
            // The rename policy: a file at a path that did not hold it is judged whole.
            'R' | 'C' => (1..=line_count(repo, &r.new_blob)).collect(),
            'A' => {
                let whole: BTreeSet<u32> = (1..=line_count(repo, &r.new_blob)).collect();
                let shown = hunks.get(&r.path).cloned().unwrap_or_default();
                assert_eq!(shown, whole, "git shows a new file {} whole", r.path);
                whole
            }
            'M' | 'T' => hunks.get(&r.path).cloned().unwrap_or_default(),
            other => panic!("unexpected status {other} for {}", r.path),
        };
        out.insert(r.path, lines);
    }
    (out, kinds)
}

/// What `leakgate staged` judged: paths with their marker lines, and the number
/// of files judged.
fn judged(repo: &Repo, config: &Path) -> (BTreeMap<String, BTreeSet<u32>>, usize) {
    let out = leakgate(repo.path())
        .args(["staged", "--format", "json", "--config"])
        .arg(config)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", all_output(&out)));
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(
        out.status.code(),
        Some(if findings.is_empty() { 0 } else { 1 }),
        "{}",
        all_output(&out)
    );
    let mut lines: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    for f in findings {
        assert_eq!(f["rule_id"], "line-marker");
        let path = f["path"].as_str().unwrap().to_string();
        let line = f["line"].as_u64().unwrap() as u32;
        assert!(
            lines.entry(path).or_default().insert(line),
            "a line reported twice: {f}"
        );
    }
    let files = report["summary"]["files"].as_u64().unwrap() as usize;
    (lines, files)
}

/// Runs one case; returns the kinds of change it made.
fn run_case(seed: u64, version: u32, config: &Path) -> BTreeSet<String> {
    let mut case = Case::new(seed);
    case.base();
    for _ in 0..1 + case.rng.below(6) {
        case.operate();
    }
    if case.rng.chance(40) {
        case.dirty_worktree();
    }
    if case.rng.chance(50) {
        case.repo.git(&["write-tree"]); // a fully valid cache tree
        case.log.push("write-tree".into());
    }
    let v = version.to_string();
    case.repo.git(&["update-index", "--index-version", &v]);
    let (want, kinds) = expected_and_kinds(&case.repo);
    let (got, files) = judged(&case.repo, config);
    let context = || {
        let raw = git(&case.repo, &["diff", "--cached", "-M", "-C", "--raw"]);
        format!(
            "seed {seed}, index v{version}\noperations:\n  {}\ngit diff --cached -M -C --raw:\n{}",
            case.log.join("\n  "),
            String::from_utf8_lossy(&raw)
        )
    };
    let want_lines: BTreeMap<_, _> = want
        .iter()
        .filter(|(_, l)| !l.is_empty())
        .map(|(p, l)| (p.clone(), l.clone()))
        .collect();
    assert_eq!(
        got,
        want_lines,
        "judged lines differ from git's\n{}",
        context()
    );
    assert_eq!(
        files,
        want.len(),
        "judged files differ from git's\n{}",
        context()
    );
    kinds
}

fn config_file() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("leakgate.yaml"), CONFIG).unwrap();
    dir
}

fn seeds(base: u64) -> Vec<u64> {
    match std::env::var("STAGED_PROPERTY_SEED") {
        Ok(s) => vec![s.parse().expect("STAGED_PROPERTY_SEED is a number")],
        Err(_) => (0..CASES).map(|i| base + i).collect(),
    }
}

/// Runs the cases from `base` on index `version`; unless one case was asked for,
/// checks that they made every kind of change (so the generator cannot drift
/// into testing less).
fn property(base: u64, version: u32) {
    let config = config_file();
    let mut kinds = BTreeSet::new();
    for seed in seeds(base) {
        kinds.extend(run_case(
            seed,
            version,
            &config.path().join("leakgate.yaml"),
        ));
    }
    if std::env::var_os("STAGED_PROPERTY_SEED").is_none() {
        let all = ["A", "C", "D", "M", "R", "T>file", "T>link", "mode"];
        let missing: Vec<_> = all.iter().filter(|k| !kinds.contains(**k)).collect();
        assert!(
            missing.is_empty(),
            "no case made {missing:?} (saw {kinds:?})"
        );
    }
}

#[test]
fn staged_judges_what_git_diff_cached_adds_index_v2() {
    property(1000, 2);
}

#[test]
fn staged_judges_what_git_diff_cached_adds_index_v4() {
    property(2000, 4);
}

/// The generator and the parsers of git's output, on one hand-made change, so
/// a bug in the test itself cannot make the property pass vacuously.
#[test]
fn the_property_sees_edits_renames_and_mode_changes() {
    let repo = Repo::new();
    repo.stage(
        "a.txt",
        "one mk0000000001q\ntwo mk0000000002q\nthree mk0000000003q\n",
    );
    repo.stage(
        "b.txt",
        "b1 mk0000000004q\nb2 mk0000000005q\nb3 mk0000000006q\nb4 mk0000000007q\n",
    );
    repo.stage("c.txt", "c mk0000000008q\n");
    repo.commit_unchecked("base");
    repo.stage(
        "a.txt",
        "one mk0000000001q\nnew mk0000000009q\nthree mk0000000003q\n",
    );
    repo.git(&["mv", "b.txt", "moved.txt"]);
    repo.git(&["update-index", "--chmod=+x", "c.txt"]);
    let want = expected(&repo);
    let lines = |l: &[u32]| l.iter().copied().collect::<BTreeSet<u32>>();
    assert_eq!(want.get("a.txt"), Some(&lines(&[2])));
    assert_eq!(want.get("moved.txt"), Some(&lines(&[1, 2, 3, 4])));
    assert!(!want.contains_key("c.txt"), "{want:?}");
    let config = config_file();
    let (got, files) = judged(&repo, &config.path().join("leakgate.yaml"));
    assert_eq!(got, want);
    assert_eq!(files, 2);
}
