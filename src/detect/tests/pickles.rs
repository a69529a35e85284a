//! Pickle streams: one malicious stream per technique, benign twins.

use crate::detect::testing::{found, has, pickled, python, verdict};
use crate::detect::Kind::*;

/// A class whose `__reduce__` returns `(callable, args)`: the classic payload.
fn reduce(callable_setup: &str, callable: &str, args: &str, protocol: u8) -> Option<Vec<u8>> {
    pickled(
        &format!(
            "{callable_setup}\nclass P:\n    def __reduce__(self):\n        return ({callable}, {args})"
        ),
        "P()",
        protocol,
    )
}

#[test]
fn os_system_is_critical_at_every_protocol() {
    for protocol in 0..=5 {
        let Some(p) = reduce("import os", "os.system", "('echo pwned',)", protocol) else {
            return;
        };
        let f = found(&p);
        assert!(
            f.iter()
                .any(|(r, c)| *r == "model-dangerous-callable" && c == "posix.system"),
            "protocol {protocol}: {f:?}"
        );
    }
}

#[test]
fn blocklist_bypasses_of_other_scanners_are_caught() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "import importlib",
            "importlib.import_module",
            "('os',)",
            "importlib.import_module",
        ),
        (
            "import pkgutil",
            "pkgutil.resolve_name",
            "('os:system',)",
            "pkgutil.resolve_name",
        ),
        (
            "import code",
            "code.InteractiveInterpreter().runsource",
            "('1',)",
            "",
        ),
        (
            "import doctest",
            "doctest.debug_src",
            "('1',)",
            "doctest.debug_src",
        ),
        (
            "import multiprocessing.util as u",
            "u.spawnv_passfds",
            "('/bin/true', ['x'], ())",
            "multiprocessing.util.spawnv_passfds",
        ),
        ("import marshal", "marshal.loads", "(b'',)", "marshal.loads"),
        ("import io", "io.open", "('/etc/hostname',)", ""),
        (
            "import runpy",
            "runpy.run_path",
            "('x.py',)",
            "runpy.run_path",
        ),
        (
            "import webbrowser",
            "webbrowser.open",
            "('http://x',)",
            "webbrowser.open",
        ),
        (
            "import shutil",
            "shutil.rmtree",
            "('/tmp/x',)",
            "shutil.rmtree",
        ),
        (
            "import socket",
            "socket.create_connection",
            "(('127.0.0.1', 9),)",
            "socket.create_connection",
        ),
        (
            "import subprocess",
            "subprocess.Popen",
            "(['id'],)",
            "subprocess.Popen",
        ),
        ("", "eval", "('1+1',)", "builtins.eval"),
        ("", "exec", "('x=1',)", "builtins.exec"),
        // getattr of an imported name is judged as the dotted name it looks up.
        (
            "",
            "getattr",
            "(object, '__class__')",
            "builtins.object.__class__",
        ),
        ("", "__import__", "('os',)", "builtins.__import__"),
        ("", "compile", "('1','x','eval')", "builtins.compile"),
        ("", "open", "('/etc/hostname',)", "io.open"),
    ];
    for (setup, callable, args, expect) in cases {
        let Some(p) = reduce(setup, callable, args, 4) else {
            return;
        };
        let f = found(&p);
        let ok = f.iter().any(|(r, c)| {
            *r == "model-dangerous-callable" && (expect.is_empty() || c.starts_with(expect))
        });
        assert!(ok, "{callable}: {f:?}");
    }
}

#[test]
fn nested_loaders_of_in_memory_bytes_are_critical_and_their_bytes_judged() {
    let Some(p) = python(
        "import pickle, sys, os\n\
class Inner:\n    def __reduce__(self): return (os.system, ('id',))\n\
inner = pickle.dumps(Inner(), protocol=2)\n\
class Outer:\n    def __reduce__(self): return (pickle.loads, (inner,))\n\
sys.stdout.buffer.write(pickle.dumps(Outer(), protocol=2))",
    ) else {
        return;
    };
    let v = verdict(&p);
    let names: Vec<&str> = v.findings.iter().map(|f| f.callable.as_str()).collect();
    assert!(
        names.iter().any(|n| n.ends_with("pickle.loads")),
        "{names:?}"
    );
    let inner = v
        .findings
        .iter()
        .find(|f| f.callable == "posix.system")
        .expect("the inner pickle is judged too");
    assert!(
        matches!(&inner.layers[0], crate::detect::Layer::Step(s) if s.contains("pickle.loads"))
    );
}

#[test]
fn python2_names_are_mapped_below_protocol_3() {
    let cases: &[(&[u8], &str)] = &[
        (b"c__builtin__\neval\n(S'1+1'\ntR.", "builtins.eval"),
        (b"ccommands\ngetoutput\n(S'id'\ntR.", "subprocess.getoutput"),
        (b"ccPickle\nloads\n(S'x'\ntR.", "pickle.loads"),
        (
            b"\x80\x02c__builtin__\nexecfile\nq\x00U\x01xq\x01\x85q\x02Rq\x03.",
            "builtins.execfile",
        ),
    ];
    for (bytes, expect) in cases {
        assert!(
            has(bytes, DangerousCallable, expect),
            "{expect}: {:?}",
            found(bytes)
        );
    }
    let v = verdict(b"c__builtin__\neval\n(S'1'\ntR.");
    assert!(v.findings[0].callable.contains("written __builtin__.eval"));
}

#[test]
fn dotted_names_resolve_through_other_modules() {
    // STACK_GLOBAL('pathlib', 'os.system') at protocol 4.
    let p = b"\x80\x04\x8c\x07pathlib\x8c\x09os.system\x93\x8c\x02id\x85R.";
    assert!(
        has(p, DangerousCallable, "pathlib.os.system"),
        "{:?}",
        found(p)
    );
    let p = b"\x80\x04\x8c\x0bcollections\x8c\x20OrderedDict.__init__.__globals__\x93.";
    assert!(
        has(p, DangerousCallable, "collections.OrderedDict.__init__"),
        "{:?}",
        found(p)
    );
}

#[test]
fn marshal_and_function_type_build_code_from_bytes() {
    // types.FunctionType(marshal.loads(<code>), globals()): written by hand, as
    // CPython cannot pickle the type itself.
    let p = b"ctypes\nFunctionType\n(cmarshal\nloads\n(S'\\xe3'\ntRcbuiltins\nglobals\n)RtR.";
    assert!(
        has(p, DangerousCallable, "types.FunctionType"),
        "{:?}",
        found(p)
    );
    assert!(has(p, DangerousCallable, "marshal.loads"));
    assert!(has(p, DangerousCallable, "builtins.globals"));
    let p = b"\x80\x04\x8c\x04code\x8c\x20InteractiveInterpreter.runsource\x93.";
    assert!(
        has(
            p,
            DangerousCallable,
            "code.InteractiveInterpreter.runsource"
        ),
        "{:?}",
        found(p)
    );
}

#[test]
fn a_protocol_that_changes_mid_stream_changes_the_names() {
    // Starts at protocol 4 (no mapping), switches to 2: `__builtin__` maps to builtins.
    let p = b"\x80\x04K\x010\x80\x02c__builtin__\neval\n\x8c\x011\x85R.";
    assert!(has(p, DangerousCallable, "builtins.eval"), "{:?}", found(p));
}

#[test]
fn the_memo_is_emulated_and_memoize_writes_at_its_length() {
    // The module and name go through the memo: PUT 5, then MEMOIZE writes at
    // len(memo) == 1, and BINGET 1 / BINGET 5 fetch them for STACK_GLOBAL.
    let p = b"\x80\x04\x8c\x05posixq\x05\x8c\x06system\x94\x30\x30h\x05h\x01\x93\x8c\x02id\x85R.";
    assert!(has(p, DangerousCallable, "posix.system"), "{:?}", found(p));
    // BINGET 0 is not set: CPython stops before anything is imported.
    let p = b"\x80\x04\x8c\x05posixq\x05h\x00\x8c\x06system\x93\x8c\x02id\x85R.";
    assert!(found(p).is_empty());
}

#[test]
fn a_fresh_memo_per_stream() {
    // The second stream asks for memo 0, which only the first stream set.
    let mut p = b"\x80\x04\x8c\x05posix\x94.".to_vec();
    p.extend_from_slice(b"\x80\x04h\x00\x8c\x06system\x93.");
    assert!(found(&p).is_empty(), "{:?}", found(&p));
}

#[test]
fn several_streams_in_one_file_are_all_judged() {
    let Some(benign) = pickled("", "{'a': 1}", 2) else {
        return;
    };
    let Some(bad) = reduce("import os", "os.system", "('id',)", 2) else {
        return;
    };
    let mut file = benign.clone();
    file.extend_from_slice(&benign);
    file.extend_from_slice(&bad);
    let v = verdict(&file);
    assert_eq!(v.findings.len(), 1, "{:?}", v.findings);
    assert!(
        matches!(&v.findings[0].layers[0], crate::detect::Layer::Step(s) if s.starts_with("pickle stream 3"))
    );
}

#[test]
fn a_name_computed_while_loading_is_a_finding() {
    // STACK_GLOBAL whose module is the result of a call.
    let p = b"\x80\x04\x8c\x08builtins\x8c\x03str\x93\x8c\x05posix\x85R\x8c\x06system\x93\x8c\x02id\x85R.";
    assert!(has(p, NonConstantGlobal, "STACK_GLOBAL"), "{:?}", found(p));
    // Calling the result of a call.
    let p = b"\x80\x04\x8c\x0bcollections\x8c\x0bOrderedDict\x93)R)R.";
    assert!(has(p, NonConstantGlobal, "call of"), "{:?}", found(p));
}

#[test]
fn parsing_follows_the_c_unpickler_not_pickletools() {
    // A base-0 integer literal pickletools rejects, then the payload.
    let p = b"I0x1f\n0cposix\nsystem\n(S'id'\ntR.";
    assert!(has(p, DangerousCallable, "posix.system"), "{:?}", found(p));
    // A FRAME shorter than its content is transparent; one past the end stops.
    let p = b"\x80\x04\x95\x01\x00\x00\x00\x00\x00\x00\x00cposix\nsystem\n\x8c\x02id\x85R.";
    assert!(has(p, DangerousCallable, "posix.system"));
    let p = b"\x80\x04\x95\xff\x00\x00\x00\x00\x00\x00\x00cposix\nsystem\n\x8c\x02id\x85R.";
    assert!(found(p).is_empty());
}

#[test]
fn what_runs_before_an_error_is_reported() {
    let p = b"\x80\x02cposix\nsystem\nX\x02\x00\x00\x00id\x85R\xff\xff garbage";
    assert!(has(p, DangerousCallable, "posix.system"));
}

#[test]
fn a_pickle_embedded_after_other_bytes_is_found() {
    let Some(bad) = reduce("import os", "os.system", "('id',)", 4) else {
        return;
    };
    let mut file = b"\x80\x02K\x01.".to_vec();
    file.extend_from_slice(b"\x00\x01\x02 raw array bytes \xfe\xff");
    file.extend_from_slice(&bad);
    assert!(
        has(&file, DangerousCallable, "posix.system"),
        "{:?}",
        found(&file)
    );
}

#[test]
fn changing_module_level_objects_is_a_finding() {
    // BUILD on an imported object sets its attributes.
    let p = b"\x80\x02ccollections\nOrderedDict\nN}X\x04\x00\x00\x00keysK\x01s\x86b.";
    assert!(
        has(p, GlobalMutation, "collections.OrderedDict"),
        "{:?}",
        found(p)
    );
}

#[test]
fn unknown_callables_are_high_and_unknown_classes_only_noted() {
    let p = b"\x80\x04\x8c\x05mypkg\x8c\x03run\x93\x8c\x01x\x85R.";
    assert!(has(p, UnknownCallable, "mypkg.run"));
    let Some(p) = pickled(
        "class Net:\n    def __init__(self): self.w = [1.0]",
        "Net()",
        4,
    ) else {
        return;
    };
    let v = verdict(&p);
    assert!(v.findings.is_empty(), "{:?}", v.findings);
    assert!(
        v.notes.iter().any(|n| n.text.contains("__main__.Net")),
        "{:?}",
        v.notes
    );
}

#[test]
fn benign_python_data_passes_at_every_protocol() {
    let setup = "import collections, datetime, decimal, fractions, uuid";
    let expr = "{'od': collections.OrderedDict(a=1), 'dd': collections.defaultdict(list), \
                'c': collections.Counter('ab'), 'dq': collections.deque([1]), 's': {1}, \
                'fs': frozenset([2]), 'ba': bytearray(b'x'), 'z': 1j, 'sl': slice(1, 2), \
                'r': range(3), 'b': b'xy', 'dt': datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc), \
                'td': datetime.timedelta(1), 'dec': decimal.Decimal('1.5'), \
                'fr': fractions.Fraction(1, 3), 'u': uuid.UUID(int=5), 'big': 2**100, 'f': 1.5}";
    for protocol in 0..=5 {
        let Some(p) = pickled(setup, expr, protocol) else {
            return;
        };
        let v = verdict(&p);
        assert_eq!(v.format, Some("pickle"));
        assert!(
            v.findings.is_empty(),
            "protocol {protocol}: {:?}",
            v.findings
        );
    }
}

#[test]
fn benign_numpy_and_scikit_learn_models_pass() {
    let script = "import pickle, sys, numpy as np\n\
from sklearn.linear_model import LogisticRegression\n\
from sklearn.ensemble import RandomForestClassifier\n\
from sklearn.pipeline import make_pipeline\n\
from sklearn.preprocessing import StandardScaler\n\
from sklearn.neighbors import KNeighborsClassifier\n\
X = np.random.RandomState(0).rand(40, 3); y = (X[:, 0] > .5).astype(int)\n\
m = {'pipe': make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y),\n\
     'rf': RandomForestClassifier(n_estimators=2, random_state=0).fit(X, y),\n\
     'knn': KNeighborsClassifier().fit(X, y), 'a': np.arange(5, dtype='f4'),\n\
     'o': np.array([1, 'x'], dtype=object), 'rng': np.random.default_rng(0)}\n\
sys.stdout.buffer.write(pickle.dumps(m, protocol=int(sys.argv[1]) if len(sys.argv) > 1 else 4))";
    let Some(p) = python(script) else {
        return;
    };
    let v = verdict(&p);
    assert!(v.findings.is_empty(), "{:?}", v.findings);
}

#[test]
fn text_that_starts_like_a_pickle_is_not_one() {
    for text in [
        &b"cos\nsin\ntan\n"[..],
        b"import os\nos.system('x')\n",
        b"(defun f () nil)\n",
        b"I am a README\n",
        b"Sorry, no pickle here.\n",
        b"cat\nfoo\n(bar\nR\n",
    ] {
        let v = verdict(text);
        assert!(
            v.findings.is_empty() && v.format.is_none(),
            "{:?}: {v:?}",
            String::from_utf8_lossy(text)
        );
    }
}

#[test]
fn a_protocol_0_pickle_without_stop_is_still_judged_when_it_calls() {
    let p = b"cposix\nsystem\n(S'id'\ntR";
    assert!(has(p, DangerousCallable, "posix.system"));
}

#[test]
fn getattr_of_an_imported_name_is_judged_as_the_dotted_name() {
    // How CPython pickles a class method: getattr(zoneinfo.ZoneInfo, '_unpickle').
    let Some(p) = pickled("import zoneinfo", "zoneinfo.ZoneInfo('UTC')", 4) else {
        return;
    };
    assert!(found(&p).is_empty(), "{:?}", found(&p));
    // A bound method of a safe class, then a harmless call of it, at protocol 2.
    let p = b"\x80\x02c__builtin__\ngetattr\ncdatetime\ndatetime\nX\x08\x00\x00\x00fromdate\x86R.";
    assert!(
        found(p).is_empty(),
        "a lookup that is never called: {:?}",
        found(p)
    );
    // getattr of an imported module alias: the dotted name is judged.
    let p = b"\x80\x02cbuiltins\ngetattr\ncposix\nsystem\nX\x02\x00\x00\x00id\x86R.";
    assert!(has(p, DangerousCallable, "posix.system"), "{:?}", found(p));
    let p = b"\x80\x02cbuiltins\ngetattr\ncshutil\nos\nX\x06\x00\x00\x00system\x86RX\x02\x00\x00\x00id\x85R.";
    assert!(
        has(p, DangerousCallable, "shutil.os.system"),
        "{:?}",
        found(p)
    );
    // Of a value made while loading, or by a computed name: dangerous.
    let p = b"\x80\x02cbuiltins\ngetattr\ncbuiltins\ndict\n)RX\x03\x00\x00\x00pop\x86R.";
    assert!(
        has(p, DangerousCallable, "builtins.getattr"),
        "{:?}",
        found(p)
    );
    // Passed for a safe callable to call: dangerous too.
    let p = b"\x80\x02ccopyreg\n_reconstructor\ncbuiltins\nobject\ncbuiltins\ngetattr\nN\x87R.";
    assert!(
        has(p, DangerousCallable, "builtins.getattr"),
        "{:?}",
        found(p)
    );
}

#[test]
fn a_partial_is_data_until_something_calls_it() {
    // scikit-learn keeps functools.partial(check_array, ...) in fitted models.
    let p = b"\x80\x04\x8c\tfunctools\x8c\x07partial\x93\x8c\x18sklearn.utils.validation\x8c\x0bcheck_array\x93\x85R.";
    assert!(found(p).is_empty(), "{:?}", found(p));
    // Called while loading (here directly, with no arguments): a finding.
    let p = b"\x80\x04\x8c\tfunctools\x8c\x07partial\x93\x8c\x04uuid\x8c\x13_get_command_stdout\x93\x8c\x02id\x86R)R.";
    assert!(has(p, NonConstantGlobal, "call of"), "{:?}", found(p));
}
