#!/usr/bin/env python3
"""Builds an evaluation corpus for leakgate's model file detector, scans it and
reports detection and false positives per technique, and the time per file.

    python3 benches/model_corpus.py [--leakgate target/release/leakgate] [--out DIR]

Malicious files go to DIR/malicious/<technique>/, benign ones to
DIR/benign/<kind>/. Every malicious file, when loaded by the loader named in its
technique, would run code (the payloads call harmless commands such as `id`; none
is ever loaded here). Benign files are real-world-style models made with numpy,
scikit-learn, pandas, joblib and h5py when installed, and PyTorch-style archives
written byte for byte as torch.save writes them (torch itself is not needed).

This corpus was written together with the detector, so it measures coverage of
the techniques the issue lists; it is not a held-out test set.
"""

import argparse, bz2, collections, datetime, decimal, gzip, io, json, lzma, os
import pickle, shutil, struct, subprocess, sys, tarfile, time, types, zipfile, zlib

OUT = None
MAL = collections.defaultdict(list)
BEN = collections.defaultdict(list)


def put(kind, table, name, data):
    d = os.path.join(OUT, "malicious" if table is MAL else "benign", kind)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        f.write(data)
    table[kind].append(path)


def mal(technique, name, data):
    put(technique, MAL, name, data)


def ben(kind, name, data):
    put(kind, BEN, name, data)


class Reduce:
    """An object whose pickle calls `fn(*args)` at load time."""

    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return (self.fn, self.args)


def fake_module(name, **attrs):
    """Registers a stand-in module so pickle can write references to `name.attr`
    without the real package (torch, joblib loaders, ...)."""
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        sub = ".".join(parts[:i])
        if sub not in sys.modules:
            sys.modules[sub] = types.ModuleType(sub)
    mod = sys.modules[name]
    for k, v in attrs.items():
        if isinstance(v, type):
            v.__module__, v.__qualname__ = name, k
        else:
            v.__module__, v.__qualname__ = name, k
        setattr(mod, k, v)
    return mod


def func(name):
    def f(*a, **k):
        pass

    f.__name__ = name
    return f


def sg(module, name):
    """Protocol 4 STACK_GLOBAL of two short strings."""
    return b"\x8c" + bytes([len(module)]) + module.encode() + b"\x8c" + bytes([len(name)]) + name.encode() + b"\x93"


def s4(text):
    return b"\x8c" + bytes([len(text)]) + text.encode()


# ---------------------------------------------------------------- malicious

def classic():
    for proto in range(6):
        mal("classic-reduce", f"os_system_p{proto}.pkl", pickle.dumps(Reduce(os.system, ("id",)), protocol=proto))
    mal("classic-reduce", "posix_system_text.pkl", b"cposix\nsystem\n(S'id'\ntR.")
    mal("classic-reduce", "nt_system.pkl", b"cnt\nsystem\n(S'id'\ntR.")
    mal("classic-reduce", "inst_opcode.pkl", b"(S'id'\nios\nsystem\n.")
    mal("classic-reduce", "obj_opcode.pkl", b"(cos\nsystem\nS'id'\no.")
    mal("classic-reduce", "hidden_in_dict.pkl", pickle.dumps({"weights": list(range(50)), "cfg": Reduce(os.system, ("id",))}, protocol=4))


def builtins_calls():
    import builtins
    for fn, args in [(eval, ("1+1",)), (exec, ("x=1",)), (compile, ("1", "f", "eval")), (__import__, ("os",)),
                     (getattr, (Reduce(__import__, ("os",)), "system")), (open, ("/etc/hostname",)), (builtins.setattr, (collections.OrderedDict, "x", 1)),
                     (builtins.breakpoint, ()), (builtins.input, ("?",)), (builtins.globals, ())]:
        mal("builtins", f"{fn.__name__}.pkl", pickle.dumps(Reduce(fn, args), protocol=4))


def bypasses():
    import importlib, pkgutil, code, doctest, multiprocessing.util, marshal, runpy, shutil as sh
    import webbrowser, timeit, pdb, cProfile, socket, ctypes, subprocess as sp, asyncio, profile, trace
    cases = [
        ("importlib_import_module", importlib.import_module, ("os",)),
        ("pkgutil_resolve_name", pkgutil.resolve_name, ("os:system",)),
        ("doctest_debug_src", doctest.debug_src, ("import os",)),
        ("spawnv_passfds", multiprocessing.util.spawnv_passfds, ("/bin/true", ["true"], ())),
        ("marshal_loads", marshal.loads, (b"\xe3",)),
        ("runpy_run_path", runpy.run_path, ("x.py",)),
        ("runpy_run_module", runpy.run_module, ("x",)),
        ("shutil_rmtree", sh.rmtree, ("/tmp/nothing-here",)),
        ("webbrowser_open", webbrowser.open, ("http://127.0.0.1/",)),
        ("timeit", timeit.timeit, ("1",)),
        ("pdb_run", pdb.run, ("1",)),
        ("cprofile_run", cProfile.run, ("1",)),
        ("profile_run", profile.run, ("1",)),
        ("socket_connect", socket.create_connection, (("127.0.0.1", 9),)),
        ("ctypes_cdll", ctypes.CDLL, ("libc.so.6",)),
        ("subprocess_popen", sp.Popen, (["id"],)),
        ("subprocess_check_output", sp.check_output, (["id"],)),
        ("subprocess_getoutput", sp.getoutput, ("id",)),
        ("os_popen", os.popen, ("id",)),
        ("os_execv", os.execv, ("/bin/true", ["true"])),
        ("asyncio_shell", asyncio.create_subprocess_shell, ("id",)),
        ("io_open", io.open, ("/etc/hostname",)),
    ]
    for name, fn, args in cases:
        mal("blocklist-bypass", name + ".pkl", pickle.dumps(Reduce(fn, args), protocol=4))
    mal("blocklist-bypass", "code_runsource.pkl", b"\x80\x04" + sg("code", "InteractiveInterpreter") + b")\x81" + b"0" + sg("code", "InteractiveInterpreter.runsource") + b"\x8c\x011\x85R.")
    mal("blocklist-bypass", "types_functiontype.pkl", b"ctypes\nFunctionType\n(cmarshal\nloads\n(S'c'\ntRcbuiltins\nglobals\n)RtR.")
    mal("blocklist-bypass", "trace_runctx.pkl", b"\x80\x04" + sg("trace", "Trace") + b")R" + b"0.")


def nested_loaders():
    inner = pickle.dumps(Reduce(os.system, ("id",)), protocol=2)
    mal("nested-loader", "pickle_loads.pkl", pickle.dumps(Reduce(pickle.loads, (inner,)), protocol=4))
    mal("nested-loader", "pickle_loads_p2.pkl", pickle.dumps(Reduce(pickle.loads, (inner,)), protocol=2))
    mal("nested-loader", "pickle_load_bytesio.pkl", b"\x80\x04" + sg("pickle", "load") + sg("io", "BytesIO") + b"C" + bytes([len(inner)]) + inner + b"\x85R\x85R.")
    for module, fn in [("numpy", "load"), ("joblib", "load"), ("torch", "load"), ("dill", "loads"),
                       ("pandas", "read_pickle"), ("torch.serialization", "load"), ("numpy.lib.npyio", "load"),
                       ("keras.models", "load_model")]:
        mal("nested-loader", f"{module}_{fn}.pkl", b"\x80\x04" + sg(module, fn) + sg("io", "BytesIO") + b"C" + bytes([len(inner)]) + inner + b"\x85R\x85R.")
    mal("nested-loader", "torch_load_from_bytes_evil.pkl", b"\x80\x02ctorch.storage\n_load_from_bytes\nC" + bytes([len(inner)]) + inner + b"\x85R.")


def unknown_callables():
    # Not on any classic blocklist: found because they are not on the allowlist.
    for module, fn, arg in [
        ("imaplib", "IMAP4_stream", "id"), ("ensurepip", "_run_pip", "x"), ("_posixsubprocess", "fork_exec", "x"),
        ("uuid", "_get_command_stdout", "id"), ("pydoc", "pipepager", "id"), ("logging.config", "listen", "9"),
        ("torch.hub", "load", "evil/repo"), ("numpy.testing._private.utils", "runstring", "1"),
        ("pandas", "eval", "1"), ("numexpr", "evaluate", "1"), ("sympy", "sympify", "1"),
        ("distutils.spawn", "spawn", "id"), ("mytools.deploy", "run", "id"), ("requests", "get", "http://x"),
        ("urllib.request", "urlretrieve", "http://x"), ("setuptools.sandbox", "run_setup", "x"),
        ("jinja2", "Template", "{{1}}"), ("yaml", "unsafe_load", "x"), ("operator", "methodcaller", "system"),
        ("functools", "reduce", "x"), ("http.server", "test", "x"), ("sqlite3", "connect", "x"),
    ]:
        mal("unknown-callable", f"{module}_{fn}.pkl", b"\x80\x04" + sg(module, fn) + s4(arg) + b"\x85R.")


def python2_names():
    for name, data in [
        ("builtin_eval", b"c__builtin__\neval\n(S'1+1'\ntR."),
        ("commands_getoutput", b"ccommands\ngetoutput\n(S'id'\ntR."),
        ("cpickle_loads", b"ccPickle\nloads\n(S'x'\ntR."),
        ("builtin_apply", b"c__builtin__\napply\n(cos\nsystem\n(S'id'\nttR."),
        ("builtin_execfile_p2", b"\x80\x02c__builtin__\nexecfile\nU\x01x\x85R."),
        ("popen2", b"cpopen2\npopen2\n(S'id'\ntR."),
        ("copy_reg_os", b"ccopy_reg\n_reconstructor\n(csubprocess\nPopen\nc__builtin__\nobject\nNtR."),
    ]:
        mal("python2-names", name + ".pkl", data)


def dotted_names():
    mal("dotted-names", "pathlib_os_system.pkl", b"\x80\x04" + sg("pathlib", "os.system") + s4("id") + b"\x85R.")
    mal("dotted-names", "torch_serialization_os.pkl", b"\x80\x04" + sg("torch", "serialization.os.system") + s4("id") + b"\x85R.")
    mal("dotted-names", "dunder_walk.pkl", b"\x80\x04" + sg("codecs", "sys.modules.__getitem__") + s4("os") + b"\x85R.")
    mal("dotted-names", "builtins_via_module.pkl", b"\x80\x04" + sg("json", "decoder.__builtins__.eval") + s4("1") + b"\x85R.")
    mal("dotted-names", "sys_via_pickletools.pkl", b"\x80\x04" + sg("pickletools", "sys.modules.get") + s4("os") + b"\x85R.")
    mal("dotted-names", "global_text_dotted.pkl", b"\x80\x04cshutil\nos.system\n\x8c\x02id\x85R.")


def protocol_changes():
    mal("protocol-change", "p4_then_p2.pkl", b"\x80\x04K\x010\x80\x02c__builtin__\neval\n\x8c\x011\x85R.")
    mal("protocol-change", "p2_then_p4.pkl", b"\x80\x02K\x010\x80\x04" + sg("builtins", "exec") + s4("x=1") + b"\x85R.")
    mal("protocol-change", "p0_then_p5.pkl", b"I1\n0\x80\x05" + sg("posix", "system") + s4("id") + b"\x85R.")


def memo_tricks():
    mal("memo", "memoize_len.pkl", b"\x80\x04\x8c\x05posixq\x05\x8c\x06system\x94\x30\x30h\x05h\x01\x93\x8c\x02id\x85R.")
    mal("memo", "long_binput.pkl", b"\x80\x04\x8c\x05posixr\x00\x00\x01\x00\x8c\x06systemr\x02\x00\x00\x0000j\x00\x00\x01\x00j\x02\x00\x00\x00\x93\x8c\x02id\x85R.")
    mal("memo", "text_put_get.pkl", b"S'posix'\np9\n0S'system'\np10\n0\x80\x04g9\ng10\n\x93S'id'\n\x85R.")
    mal("memo", "dup_callable.pkl", b"\x80\x04" + sg("posix", "system") + b"2" + s4("id") + b"\x85R0" + s4("id") + b"\x85R.")


def nonconstant():
    mal("nonconstant-global", "computed_module.pkl", b"\x80\x04" + sg("builtins", "str") + s4("posix") + b"\x85R" + s4("system") + b"\x93" + s4("id") + b"\x85R.")
    mal("nonconstant-global", "call_of_result.pkl", b"\x80\x04" + sg("collections", "OrderedDict") + b")R)R.")
    mal("nonconstant-global", "codecs_name.pkl", b"\x80\x04" + sg("codecs", "decode") + s4("cbfvk") + s4("rot13") + b"\x86R" + s4("system") + b"\x93" + s4("id") + b"\x85R.")


def parser_tricks():
    mal("c-parser", "base0_int.pkl", b"I0x1f\n0cposix\nsystem\n(S'id'\ntR.")
    mal("c-parser", "octal_int.pkl", b"I010\n0cposix\nsystem\n(S'id'\ntR.")
    mal("c-parser", "short_frame.pkl", b"\x80\x04\x95\x01\x00\x00\x00\x00\x00\x00\x00cposix\nsystem\n\x8c\x02id\x85R.")
    mal("c-parser", "error_after_payload.pkl", b"\x80\x02cposix\nsystem\nX\x02\x00\x00\x00id\x85R\xff\xff garbage")
    mal("c-parser", "no_stop.pkl", b"cposix\nsystem\n(S'id'\ntR")
    mal("c-parser", "escaped_string.pkl", b"\x80\x02S'po\\x73ix'\nS's\\171stem'\n\x93S'id'\n\x85R.")
    mal("c-parser", "long_underscore.pkl", b"L1_000L\n0cposix\nsystem\n(S'id'\ntR.")


def streams():
    bad = pickle.dumps(Reduce(os.system, ("id",)), protocol=2)
    mal("multi-stream", "second_stream.pkl", pickle.dumps({"a": 1}, protocol=2) + bad)
    mal("multi-stream", "fifth_stream.pkl", b"".join(pickle.dumps(i, protocol=2) for i in range(4)) + bad)
    mal("multi-stream", "embedded_after_junk.pkl", pickle.dumps([1, 2], protocol=2) + os.urandom(64).replace(b"\x80", b"\x81") + pickle.dumps(Reduce(os.system, ("id",)), protocol=4))


def torch_archive(pkl, name="archive"):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr(f"{name}/data.pkl", pkl)
        z.writestr(f"{name}/byteorder", "little")
        z.writestr(f"{name}/data/0", struct.pack("<4f", 1, 2, 3, 4))
        z.writestr(f"{name}/version", "3\n")
        z.writestr(f"{name}/.data/serialization_id", "0123456789")
    return b.getvalue()


def legacy_torch(main):
    return (pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2) + pickle.dumps(1001, protocol=2)
            + pickle.dumps({"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}, protocol=2)
            + main + pickle.dumps(["0"], protocol=2) + struct.pack("<q4f", 4, 1, 2, 3, 4))


def containers():
    bad2 = pickle.dumps(Reduce(os.system, ("id",)), protocol=2)
    bad4 = pickle.dumps(Reduce(os.system, ("id",)), protocol=4)
    mal("torch-zip", "model.pt", torch_archive(bad2))
    mal("torch-zip", "other_prefix.pth", torch_archive(bad2, "resnet50"))
    mal("torch-zip", "model.bin", torch_archive(bad2))
    mal("torch-zip", "checkpoint.ckpt", torch_archive(pickle.dumps({"state_dict": {}, "cb": Reduce(os.system, ("id",))}, protocol=2)))
    raw = bytearray(torch_archive(bad2))
    i = raw.find(b"PK\x03\x04")
    raw[i + 14:i + 18] = b"\xde\xad\xbe\xef"  # a wrong CRC in the first local header
    mal("zip-quirks", "bad_crc.pt", bytes(raw))
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps({}, protocol=2))
        z.writestr("archive/data.pkl", bad2)
    mal("zip-quirks", "duplicate_entry.pt", b.getvalue())
    mal("zip-quirks", "nested_zip.zip", zip_of({"inner/model.zip": torch_archive(bad2)}))
    mal("zip-quirks", "prefixed.zip", b"#!/usr/bin/env python3\n" + zip_of({"data.pkl": bad2}))
    mal("zip-quirks", "pickle_zip_polyglot.pt", pickle.dumps([1], protocol=2) + zip_of({"data.pkl": bad2}))
    mal("torch-legacy", "legacy_stream.pt", legacy_torch(bad2))
    t = io.BytesIO()
    with tarfile.open(fileobj=t, mode="w") as tf:
        for name, data in [("sys_info", pickle.dumps({}, protocol=2)), ("pickle", bad2), ("storages", pickle.dumps(0, protocol=2)), ("tensors", pickle.dumps(0, protocol=2))]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    mal("torch-legacy", "legacy_tar.pt", t.getvalue())
    for name, fn in [("gzip", gzip.compress), ("bz2", bz2.compress), ("xz", lzma.compress), ("zlib", zlib.compress),
                     ("lzma", lambda d: lzma.compress(d, format=lzma.FORMAT_ALONE))]:
        mal("compressed", f"model.pkl.{name}", fn(bad4))
    mal("compressed", "joblib_zfile.pkl", b"ZF0x%-17x" % len(bad2) + zlib.compress(bad2))


def zip_of(files):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in files.items():
            z.writestr(k, v)
    return b.getvalue()


def numpy_files():
    try:
        import numpy as np
    except ImportError:
        print("SKIPPED numpy files: numpy is not installed", file=sys.stderr)
        return
    a = np.array([1, "x", Reduce(os.system, ("id",))], dtype=object)
    for version in [(1, 0), (2, 0), (3, 0)]:
        b = io.BytesIO()
        np.lib.format.write_array(b, a, version=version, allow_pickle=True)
        mal("numpy", f"object_v{version[0]}.npy", b.getvalue())
    b = io.BytesIO()
    np.savez(b, w=np.arange(10.0), o=a)
    mal("numpy", "object_member.npz", b.getvalue())
    b = io.BytesIO()
    np.savez_compressed(b, o=a)
    mal("numpy", "object_member_compressed.npz", b.getvalue())
    mal("numpy", "pickle_as_npy_ext.npy", pickle.dumps(a, protocol=2))
    ben("numpy", "float.npy", npy(np.random.RandomState(0).rand(20, 5)))
    ben("numpy", "int_v2.npy", npy(np.arange(100), version=(2, 0)))
    ben("numpy", "structured.npy", npy(np.zeros(4, dtype=[("a", "<i4"), ("b", "<f8"), ("O", "<f4")])))
    b = io.BytesIO()
    np.savez_compressed(b, w=np.arange(10.0), b=np.ones((3, 3)))
    ben("numpy", "weights.npz", b.getvalue())
    ben("numpy", "strings.npy", npy(np.array(["ab", "cd"])))


def npy(arr, version=None):
    b = io.BytesIO()
    np = sys.modules["numpy"]
    np.lib.format.write_array(b, arr, version=version)
    return b.getvalue()


def joblib_files():
    try:
        import joblib, numpy as np
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        print("SKIPPED joblib files: joblib/numpy/scikit-learn not installed", file=sys.stderr)
        return
    X = np.random.RandomState(0).rand(40, 3)
    y = (X[:, 0] > 0.5).astype(int)
    m = LogisticRegression().fit(X, y)
    for c in [0, ("zlib", 3), ("gzip", 3), ("bz2", 3), ("xz", 3), ("lzma", 3)]:
        name = c if c == 0 else c[0]
        b = io.BytesIO()
        joblib.dump({"w": np.arange(2000.0), "m": m, "x": Reduce(os.system, ("id",))}, b, compress=c)
        mal("joblib", f"after_array_{name}.joblib", b.getvalue())
        b = io.BytesIO()
        joblib.dump({"w": np.arange(2000.0), "m": m, "labels": np.array(["a", "b"], dtype=object)}, b, compress=c)
        ben("joblib", f"model_{name}.joblib", b.getvalue())


def keras_files():
    lam = {"module": "keras.layers", "class_name": "Lambda", "config": {"name": "l", "function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAAAAAAAAAAAAEAAAADAAAA", "defaults": None, "closure": None}}}}
    dense = {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "relu"}}
    fn = lambda m, f: {"module": "keras.layers", "class_name": "Activation", "config": {"name": "a", "activation": {"module": m, "class_name": "function", "config": f, "registered_name": "function"}}}
    model = lambda layers: {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": layers}}
    for name, layers in [("lambda", [dense, lam]), ("builtins_exec", [dense, fn("builtins", "exec")]),
                         ("os_system", [fn("os", "system")]), ("unknown_module", [fn("mytools", "deploy")]),
                         ("subprocess", [fn("subprocess", "getoutput")])]:
        mal("keras", f"{name}.keras", keras_zip(model(layers)))
    ben("keras", "dense.keras", keras_zip(model([dense, fn("keras.activations", "softmax")])))
    legacy_lam = {"class_name": "Lambda", "config": {"name": "lam", "function": ["4wEAAAAAAAAA", None, None], "function_type": "lambda"}}
    legacy_dense = {"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "relu"}}
    try:
        import h5py
    except ImportError:
        print("SKIPPED .h5 files: h5py is not installed", file=sys.stderr)
        return
    for table, name, layers in [(MAL, "legacy_lambda.h5", [legacy_dense, legacy_lam]), (BEN, "legacy_dense.h5", [legacy_dense])]:
        b = io.BytesIO()
        with h5py.File(b, "w") as f:
            f.attrs["keras_version"] = b"2.12.0"
            f.attrs["backend"] = b"tensorflow"
            f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {"name": "s", "layers": layers}}).encode()
            f.create_dataset("model_weights/d/kernel", data=[[1.0, 2.0], [3.0, 4.0]])
        put("keras", table, name, b.getvalue())


def keras_zip(config):
    return zip_of({"metadata.json": json.dumps({"keras_version": "3.4.1", "date_saved": "2024-06-01"}),
                   "config.json": json.dumps(config), "model.weights.h5": b"\x89HDF\r\n\x1a\n" + bytes(64)})


def mutation():
    mal("global-mutation", "build_on_global.pkl", b"\x80\x02clogging\nLogger\nN}X\x07\x00\x00\x00managerK\x01s\x86b.")
    mal("global-mutation", "setitem_on_environ.pkl", b"\x80\x02cos\nenviron\nX\n\x00\x00\x00LD_PRELOADX\x05\x00\x00\x00/x.sos.")


# ---------------------------------------------------------------- benign

def torch_state_dict(proto=2):
    class FloatStorage:
        pass

    fake_module("torch", FloatStorage=FloatStorage)
    rebuild = func("_rebuild_tensor_v2")
    fake_module("torch._utils", _rebuild_tensor_v2=rebuild)
    param = func("_rebuild_parameter")
    fake_module("torch._utils", _rebuild_parameter=param)

    class T:
        def __init__(self, k, shape):
            self.k, self.shape = k, shape

        def __reduce_ex__(self, p):
            stride = tuple(int(x) for x in [self.shape[1], 1]) if len(self.shape) == 2 else (1,)
            return (rebuild, (("storage", FloatStorage, self.k, "cpu", 4), 0, self.shape, stride, False, collections.OrderedDict()))

    class P(pickle.Pickler):
        def persistent_id(self, obj):
            return obj if isinstance(obj, tuple) and obj and obj[0] == "storage" else None

    sd = collections.OrderedDict()
    for i, layer in enumerate(["conv1", "bn1", "layer1.0.conv1", "fc"]):
        sd[f"{layer}.weight"] = T(str(2 * i), (4, 4))
        sd[f"{layer}.bias"] = T(str(2 * i + 1), (4,))
    sd._metadata = collections.OrderedDict([("", {"version": 1}), ("fc", {"version": 1})])
    b = io.BytesIO()
    P(b, protocol=proto).dump({"epoch": 3, "state_dict": sd, "optimizer": {"lr": 0.01, "betas": (0.9, 0.999)}})
    return b.getvalue()


def benign_torch():
    for proto in (2, 4):
        pkl = torch_state_dict(proto)
        ben("torch", f"resnet_p{proto}.pt", torch_archive(pkl))
        ben("torch", f"legacy_p{proto}.pt", legacy_torch(pkl))
    ben("torch", "named_archive.pth", torch_archive(torch_state_dict(2), "model_v2"))


def benign_python():
    data = {"od": collections.OrderedDict(a=1), "dd": collections.defaultdict(list), "cnt": collections.Counter("abc"),
            "dq": collections.deque([1, 2]), "set": {1, 2}, "fs": frozenset([3]), "ba": bytearray(b"xy"), "c": 1j,
            "sl": slice(1, 5), "r": range(9), "b": b"\x00\x01", "dt": datetime.datetime(2024, 5, 1, tzinfo=datetime.timezone.utc),
            "d": datetime.date(2024, 1, 1), "td": datetime.timedelta(hours=3), "dec": decimal.Decimal("3.14"),
            "big": 2 ** 200, "neg": -7, "f": 2.5, "none": None, "t": (1, "two", 3.0), "nested": [[{"k": [1]}]]}
    for proto in range(6):
        ben("python-data", f"mixed_p{proto}.pkl", pickle.dumps(data, protocol=proto))
    ben("python-data", "multi_record.pkl", b"".join(pickle.dumps({"row": i}, protocol=4) for i in range(5)))
    ben("python-data", "gz_records.pkl.gz", gzip.compress(pickle.dumps(list(range(1000)), protocol=4)))


def benign_sklearn():
    try:
        import numpy as np
        from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier, Lasso
        from sklearn.ensemble import RandomForestClassifier, GradientBoostingRegressor, HistGradientBoostingClassifier, IsolationForest, ExtraTreesClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler, OneHotEncoder, MinMaxScaler, PolynomialFeatures, LabelEncoder
        from sklearn.compose import ColumnTransformer
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.decomposition import PCA, TruncatedSVD
        from sklearn.cluster import KMeans, DBSCAN
        from sklearn.svm import SVC
        from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
        from sklearn.tree import DecisionTreeClassifier
        from sklearn.naive_bayes import MultinomialNB, GaussianNB
        from sklearn.model_selection import GridSearchCV
        from sklearn.impute import SimpleImputer
        from sklearn.neural_network import MLPClassifier
        import joblib
    except ImportError:
        print("SKIPPED scikit-learn models: scikit-learn is not installed", file=sys.stderr)
        return
    rs = np.random.RandomState(0)
    X = rs.rand(80, 4)
    y = (X[:, 0] > 0.5).astype(int)
    models = {
        "logreg": LogisticRegression().fit(X, y), "ridge": Ridge().fit(X, y), "lasso": Lasso().fit(X, y),
        "sgd": SGDClassifier().fit(X, y), "rf": RandomForestClassifier(n_estimators=3).fit(X, y),
        "extra": ExtraTreesClassifier(n_estimators=3).fit(X, y), "gbr": GradientBoostingRegressor(n_estimators=5).fit(X, y),
        "hgb": HistGradientBoostingClassifier(max_iter=5).fit(X, y), "iforest": IsolationForest(n_estimators=5).fit(X),
        "pipeline": make_pipeline(StandardScaler(), PCA(2), LogisticRegression()).fit(X, y),
        "kmeans": KMeans(3, n_init=1).fit(X), "dbscan": DBSCAN().fit(X), "svc": SVC(probability=True).fit(X, y),
        "knn": KNeighborsClassifier().fit(X, y), "nn": NearestNeighbors().fit(X), "tree": DecisionTreeClassifier().fit(X, y),
        "gnb": GaussianNB().fit(X, y), "mnb": MultinomialNB().fit(X, y), "mlp": MLPClassifier(max_iter=20).fit(X, y),
        "grid": GridSearchCV(LogisticRegression(), {"C": [0.1, 1]}, cv=2).fit(X, y), "imputer": SimpleImputer().fit(X),
        "tfidf": TfidfVectorizer().fit(["the cat sat", "the dog ran", "a bird flew"]), "svd": TruncatedSVD(2).fit(X),
        "poly": make_pipeline(PolynomialFeatures(2), MinMaxScaler(), Ridge()).fit(X, y), "labels": LabelEncoder().fit(["a", "b", "c"]),
    }
    import warnings
    warnings.filterwarnings("ignore")
    for i, (name, m) in enumerate(models.items()):
        if i % 3 == 0:
            b = io.BytesIO()
            joblib.dump(m, b)
            ben("sklearn", f"{name}.joblib", b.getvalue())
        else:
            ben("sklearn", f"{name}.pkl", pickle.dumps(m, protocol=[2, 4, 5][i % 3]))
    try:
        import pandas as pd
        df = pd.DataFrame({"a": np.arange(30), "b": ["x", "y", "z"] * 10, "c": rs.rand(30)})
        ct = ColumnTransformer([("oh", OneHotEncoder(), ["b"]), ("s", StandardScaler(), ["a", "c"])]).fit(df)
        ben("sklearn", "column_transformer.pkl", pickle.dumps(ct, protocol=4))
        frames = {"frame": df, "dates": df.assign(d=pd.date_range("2024-01-01", periods=30), cat=pd.Categorical(["u", "v"] * 15)),
                  "series": pd.Series(rs.rand(5), index=list("abcde")), "multi": df.set_index(["b", "a"]),
                  "tz": pd.Series(pd.date_range("2024", periods=3, tz="UTC"))}
        for name, obj in frames.items():
            ben("pandas", f"{name}.pkl", pickle.dumps(obj, protocol=4))
        b = io.BytesIO()
        df.to_pickle(b, compression="gzip")
        ben("pandas", "frame.pkl.gz", b.getvalue())
    except ImportError:
        print("SKIPPED pandas frames: pandas is not installed", file=sys.stderr)
    try:
        import scipy.sparse as sp
        ben("scipy", "csr.pkl", pickle.dumps(sp.csr_matrix(np.eye(5)), protocol=4))
        ben("scipy", "coo.pkl", pickle.dumps(sp.random(10, 10, density=0.2, format="coo", random_state=0), protocol=2))
    except ImportError:
        pass
    ben("numpy", "rng_state.pkl", pickle.dumps({"rng": np.random.default_rng(0), "rs": np.random.RandomState(1)}, protocol=4))


def benign_data_formats():
    header = json.dumps({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}, "__metadata__": {"format": "pt"}}).encode()
    ben("data-formats", "model.safetensors", struct.pack("<Q", len(header)) + header + struct.pack("<4f", 1, 2, 3, 4))
    ben("data-formats", "model.gguf", b"GGUF\x03\x00\x00\x00" + struct.pack("<QQ", 1, 0) + b"\x00" * 32)
    ben("data-formats", "model.onnx", b"\x08\x07\x12\x07pytorch\x1a\x052.1.0:\x8a\x01\n\x1c\n\x05input\x12\x06output\x1a\x04Relu\"\x04Relu")
    ben("data-formats", "README.md", b"# Model card\n\nIntended use: classification.\n")
    ben("data-formats", "cats.txt", b"cats\ndogs\nmice\n")
    ben("data-formats", "lfs_pointer.bin", b"version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n")
    ben("data-formats", "archive.zip", zip_of({"docs/readme.txt": "hello", "img.png": b"\x89PNG\r\n\x1a\n" + bytes(40)}))


# ---------------------------------------------------------------- verify

class Recorder(pickle.Unpickler):
    """CPython's C unpickler with find_class replaced: every global it resolves
    becomes a stub that records the call instead of making it. A malicious file
    is verified when the real parser reaches a call of a stub."""

    def __init__(self, f):
        super().__init__(f)
        self.calls = []

    def find_class(self, module, name):
        calls = self.calls

        class Meta(type):
            def __setstate__(cls, state):
                calls.append(f"{module}.{name} changed")

            def __setitem__(cls, k, v):
                calls.append(f"{module}.{name}[]= changed")

        class Stub(metaclass=Meta):
            def __new__(cls, *a, **k):
                calls.append(f"{module}.{name}")
                return object.__new__(cls)

            def __init__(self, *a, **k):
                pass

            def __call__(self, *a, **k):
                calls.append(f"{module}.{name}()")
                return self

            def __getattr__(self, attr):
                return self

            def __setitem__(self, k, v):
                calls.append(f"{module}.{name}[]=")

        Stub.__name__ = name
        return Stub

    def persistent_load(self, pid):
        return pid


def verified(path):
    """Whether CPython's unpickler, loading `path` as a stream of pickles, reaches
    a call or change of a global (`None` when the file is no bare pickle)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] in (b"PK", b"\x93N", b"\x1f\x8b", b"BZ", b"\xfd7", b"ZF", b"\x89H") or data[:1] in (b"\x5d", b"\x78", b"{") \
            or b"ustar" in data[257:262] or b"PK\x05\x06" in data[-4096:] or "embedded" in path:
        return None
    r = Recorder(io.BytesIO(data))
    try:
        while True:
            r.load()
    except Exception:
        pass
    return bool(r.calls)


# ---------------------------------------------------------------- scan

def scan(leakgate, root):
    out = subprocess.run([leakgate, "scan", root, "--format", "json", "--no-config", "--no-baseline", "-j", "1"],
                         capture_output=True)
    if out.returncode not in (0, 1):
        sys.exit(f"leakgate failed: {out.stderr.decode()}")
    flagged = collections.defaultdict(list)
    for f in json.loads(out.stdout)["findings"]:
        flagged[os.path.normpath(f["path"])].append(f["rule_id"])
    return flagged


def main():
    global OUT
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--leakgate", default="target/release/leakgate")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    OUT = args.out or os.path.join(os.environ.get("TMPDIR", "/tmp"), "leakgate-model-corpus")
    shutil.rmtree(OUT, ignore_errors=True)
    for build in [classic, builtins_calls, bypasses, nested_loaders, unknown_callables, python2_names, dotted_names,
                  protocol_changes, memo_tricks, nonconstant, parser_tricks, streams, containers, numpy_files,
                  joblib_files, keras_files, mutation, benign_torch, benign_python, benign_sklearn, benign_data_formats]:
        build()
    started = time.perf_counter()
    flagged = scan(args.leakgate, OUT)
    elapsed = time.perf_counter() - started
    total = {"mal": 0, "hit": 0, "ben": 0, "fp": 0}
    print(f"{'technique':<22} {'files':>5} {'detected':>8} {'verified':>8}")
    for technique, paths in sorted(MAL.items()):
        hits = [p for p in paths if os.path.normpath(p) in flagged]
        for p in paths:
            if os.path.normpath(p) not in flagged:
                print(f"  MISSED {p}")
        checks = [verified(p) for p in paths]
        for p, ok in zip(paths, checks):
            if ok is False:
                print(f"  NOT VERIFIED (CPython reaches no call) {p}")
        shown = f"{sum(c is True for c in checks)}/{sum(c is not None for c in checks)}"
        print(f"{technique:<22} {len(paths):>5} {len(hits):>8} {shown:>8}")
        total["mal"] += len(paths)
        total["hit"] += len(hits)
    print(f"\n{'benign kind':<22} {'files':>5} {'flagged':>8}")
    for kind, paths in sorted(BEN.items()):
        fps = [p for p in paths if os.path.normpath(p) in flagged]
        for p in fps:
            print(f"  FALSE POSITIVE {p}: {flagged[os.path.normpath(p)]}")
        print(f"{kind:<22} {len(paths):>5} {len(fps):>8}")
        total["ben"] += len(paths)
        total["fp"] += len(fps)
    n = total["mal"] + total["ben"]
    size = sum(os.path.getsize(p) for t in (MAL, BEN) for ps in t.values() for p in ps)
    print("(verified: bare pickles that CPython's own unpickler, with every global stubbed, runs to a call)")
    print(f"\nmalicious detected: {total['hit']}/{total['mal']} ({100 * total['hit'] / total['mal']:.1f}%)")
    print(f"benign flagged:     {total['fp']}/{total['ben']} ({100 * total['fp'] / total['ben']:.1f}%)")
    print(f"one `leakgate scan` of {n} files ({size / 1e6:.1f} MB), one thread: {elapsed * 1000:.0f} ms, "
          f"{elapsed * 1000 / n:.2f} ms per file including start-up")


if __name__ == "__main__":
    main()
