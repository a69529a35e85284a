//! What git writes on the standard input of pre-receive (`<old> <new> <ref>`)
//! and pre-push (`<local ref> <local sha> <remote ref> <remote sha>`), parsed and
//! then resolved against a small real repository the way the hooks resolve it:
//! any text is judged or refused with an error, never a panic. In the input,
//! `@c`, `@t`, `@b` and `@g` stand for the repository's commit, tree, blob and
//! annotated tag ids, so the fuzzer reaches objects that exist.
#![no_main]

use git2::{Oid, Repository, Signature};
use leakgate::source::git::push::{is_zero, outgoing, parse_outgoing, parse_updates, received};
use libfuzzer_sys::fuzz_target;
use std::sync::{Mutex, OnceLock};

struct Fixture {
    _dir: tempfile::TempDir,
    repo: Mutex<Repository>,
    ids: [(&'static str, String); 4],
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        let blob = repo.blob(b"token = hello\n").unwrap();
        let tree = {
            let mut tb = repo.treebuilder(None).unwrap();
            tb.insert("a.txt", blob, 0o100644).unwrap();
            tb.write().unwrap()
        };
        let sig = Signature::new("Fuzz", "fuzz@example.com", &git2::Time::new(0, 0)).unwrap();
        let commit = {
            let t = repo.find_tree(tree).unwrap();
            repo.commit(Some("refs/heads/main"), &sig, &sig, "first", &t, &[])
                .unwrap()
        };
        let tag = {
            let obj = repo.find_object(tree, None).unwrap();
            repo.tag("t", &obj, &sig, "a tag of a tree", false).unwrap()
        };
        repo.remote("origin", "https://example.invalid/x.git")
            .unwrap();
        let hex = |o: Oid| o.to_string();
        Fixture {
            ids: [
                ("@c", hex(commit)),
                ("@t", hex(tree)),
                ("@b", hex(blob)),
                ("@g", hex(tag)),
            ],
            repo: Mutex::new(repo),
            _dir: dir,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let fixture = fixture();
    let mut text = text.to_string();
    for (token, id) in &fixture.ids {
        text = text.replace(token, id);
    }
    let repo = fixture.repo.lock().unwrap_or_else(|e| e.into_inner());
    if let Ok(updates) = parse_updates(&text) {
        for u in &updates {
            assert!(!u.name.is_empty() && !u.old.is_empty() && !u.new.is_empty());
        }
        let _ = received(&repo, &updates);
    }
    if let Ok(lines) = parse_outgoing(&text) {
        for l in &lines {
            let _ = (is_zero(&l.local), is_zero(&l.remote), &l.local_ref);
        }
        let _ = outgoing(&repo, "origin", &lines);
        let _ = outgoing(&repo, "https://example.invalid/x.git", &lines);
    }
});
