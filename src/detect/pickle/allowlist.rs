//! What real model files call, and how: the allowlist.
//!
//! Three tiers, checked after the dangerous list ([`super::danger`]):
//!
//! 1. **Safe callables** ([`SAFE`]): functions and classes that only build data from
//!    their arguments, whatever those are: what PyTorch's `weights_only` unpickler
//!    accepts (`torch._utils._rebuild_tensor_v2`, storages, dtypes,
//!    `collections.OrderedDict`), NumPy's reconstruction under both `numpy.core`
//!    and `numpy._core`, `_codecs.encode`, `copyreg`, builtins that only build data,
//!    `datetime`, `decimal`, and the reconstruction helpers of pandas, scikit-learn
//!    and NumPy's random generators. Some of them call or instantiate one of their
//!    own arguments ([`Role`]): `copyreg._reconstructor(cls, base, state)` rebuilds
//!    `cls` and calls `base`, `torch._tensor._rebuild_from_type_v2(func, type, args,
//!    state)` calls `func`. Those arguments are judged in turn.
//! 2. **Trusted class namespaces** ([`TRUSTED`]): the classes of scientific
//!    libraries (scikit-learn estimators, pandas frames, SciPy matrices, PyTorch
//!    modules). A class there may be rebuilt from saved state (`NEWOBJ`,
//!    `copyreg._reconstructor`, then `BUILD`), and a class-like name there (`Tree`,
//!    `_BinMapper`) may be called with data arguments (the `REDUCE` its
//!    `__reduce__` writes), but a function there may not be called: a function
//!    called with attacker-chosen arguments is what runs code. Subpackages that
//!    touch files, processes or the network ([`UNTRUSTED`]) are left out.
//! 3. **The user's own names** from `.leakgate.yaml` (`models.allow`), exact or
//!    a module followed by `.*`.
//!
//! Everything else is unknown: called, it is a finding (high); only rebuilt from
//! saved state, it is a note.

use super::danger;
use super::names::Name;

/// What a safe callable does with one of its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The argument is a class it instantiates without running its constructor
    /// (`cls.__new__(cls)` and the class's `__setstate__`).
    Class,
    /// The argument is called (with other arguments, or none).
    Called,
}

/// How a safe callable treats its arguments: `(index, role)` for each argument
/// that is more than data.
pub type Roles = &'static [(usize, Role)];

const DATA: Roles = &[];
const REBUILDS_FIRST: Roles = &[(0, Role::Class)];

/// Callables that only build data, by fully qualified name.
const SAFE: &[(&str, Roles)] = &[
    ("builtins.set", DATA),
    ("builtins.frozenset", DATA),
    ("builtins.bytearray", DATA),
    ("builtins.bytes", DATA),
    ("builtins.complex", DATA),
    ("builtins.slice", DATA),
    ("builtins.range", DATA),
    ("builtins.list", DATA),
    ("builtins.dict", DATA),
    ("builtins.tuple", DATA),
    ("builtins.int", DATA),
    ("builtins.float", DATA),
    ("builtins.bool", DATA),
    ("builtins.str", DATA),
    ("builtins.object", DATA),
    ("builtins.Ellipsis", DATA),
    ("builtins.NotImplemented", DATA),
    (
        "copyreg._reconstructor",
        &[(0, Role::Class), (1, Role::Called)],
    ),
    ("copyreg.__newobj__", REBUILDS_FIRST),
    ("copyreg.__newobj_ex__", REBUILDS_FIRST),
    ("_codecs.encode", DATA),
    // Stores a function and arguments without calling them (scikit-learn keeps
    // `partial(check_array, ...)`); calling the partial is a call of a computed
    // value, judged as such.
    ("functools.partial", DATA),
    ("collections.OrderedDict", DATA),
    ("collections.defaultdict", DATA),
    ("collections.Counter", DATA),
    ("collections.deque", DATA),
    ("collections.ChainMap", DATA),
    ("collections.UserDict", DATA),
    ("collections.UserList", DATA),
    ("collections.UserString", DATA),
    ("datetime.datetime", DATA),
    ("datetime.date", DATA),
    ("datetime.time", DATA),
    ("datetime.timedelta", DATA),
    ("datetime.timezone", DATA),
    ("datetime.tzinfo", DATA),
    ("decimal.Decimal", DATA),
    ("fractions.Fraction", DATA),
    ("uuid.UUID", DATA),
    ("array.array", DATA),
    ("array._array_reconstructor", REBUILDS_FIRST),
    ("re._compile", DATA),
    ("pathlib.PosixPath", DATA),
    ("pathlib.PurePosixPath", DATA),
    ("pathlib.WindowsPath", DATA),
    ("pathlib.PureWindowsPath", DATA),
    ("zoneinfo.ZoneInfo", DATA),
    ("zoneinfo.ZoneInfo._unpickle", DATA),
    ("pytz._p", DATA),
    ("pytz._UTC", DATA),
    ("dateutil.tz.tz.tzutc", DATA),
    ("dateutil.tz.tz.tzoffset", DATA),
    // NumPy, under its old and new package names.
    ("numpy.core.multiarray._reconstruct", REBUILDS_FIRST),
    ("numpy._core.multiarray._reconstruct", REBUILDS_FIRST),
    ("numpy.core.multiarray.scalar", DATA),
    ("numpy._core.multiarray.scalar", DATA),
    ("numpy.core._multiarray_umath._reconstruct", REBUILDS_FIRST),
    ("numpy._core._multiarray_umath._reconstruct", REBUILDS_FIRST),
    ("numpy.core._multiarray_umath.scalar", DATA),
    ("numpy._core._multiarray_umath.scalar", DATA),
    ("numpy.core.numeric._frombuffer", DATA),
    ("numpy._core.numeric._frombuffer", DATA),
    ("numpy.dtype", DATA),
    ("numpy.ndarray", DATA),
    ("numpy.matrix", DATA),
    (
        "numpy.ma.core._mareconstruct",
        &[(0, Role::Class), (1, Role::Class)],
    ),
    (
        "numpy.random._pickle.__randomstate_ctor",
        &[(1, Role::Called)],
    ),
    (
        "numpy.random._pickle.__generator_ctor",
        &[(1, Role::Called)],
    ),
    (
        "numpy.random._pickle.__bit_generator_ctor",
        &[(0, Role::Called)],
    ),
    (
        "numpy.random.bit_generator.__pyx_unpickle_SeedSequence",
        REBUILDS_FIRST,
    ),
    (
        "numpy.random._bit_generator.__pyx_unpickle_SeedSequence",
        REBUILDS_FIRST,
    ),
    // PyTorch: what torch.load(weights_only=True) accepts.
    ("torch._utils._rebuild_tensor", DATA),
    ("torch._utils._rebuild_tensor_v2", DATA),
    ("torch._utils._rebuild_tensor_v3", DATA),
    ("torch._utils._rebuild_parameter", DATA),
    ("torch._utils._rebuild_parameter_with_state", DATA),
    ("torch._utils._rebuild_sparse_tensor", DATA),
    ("torch._utils._rebuild_sparse_csr_tensor", DATA),
    ("torch._utils._rebuild_meta_tensor_no_storage", DATA),
    ("torch._utils._rebuild_nested_tensor", DATA),
    ("torch._utils._rebuild_qtensor", DATA),
    ("torch._utils._rebuild_device_tensor_from_numpy", DATA),
    ("torch._utils._rebuild_device_tensor_from_cpu_tensor", DATA),
    ("torch._utils._rebuild_xla_tensor", DATA),
    ("torch._utils._rebuild_mps_tensor", DATA),
    ("torch._utils._rebuild_wrapper_subclass", REBUILDS_FIRST),
    (
        "torch._tensor._rebuild_from_type",
        &[(0, Role::Called), (1, Role::Class)],
    ),
    (
        "torch._tensor._rebuild_from_type_v2",
        &[(0, Role::Called), (1, Role::Class)],
    ),
    ("torch.serialization._get_layout", DATA),
    ("torch.device", DATA),
    ("torch.Size", DATA),
    ("torch.Tensor", DATA),
    ("torch.nn.parameter.Parameter", DATA),
    ("torch.nn.parameter.Buffer", DATA),
    // pandas.
    ("pandas._libs.internals._unpickle_block", DATA),
    ("pandas.core.internals.blocks._unpickle_block", DATA),
    ("pandas.core.internals.blocks.new_block", DATA),
    ("pandas.core.internals.blocks.make_block", DATA),
    (
        "pandas._libs.arrays.__pyx_unpickle_NDArrayBacked",
        REBUILDS_FIRST,
    ),
    ("pandas.core.indexes.base._new_Index", REBUILDS_FIRST),
    (
        "pandas.core.indexes.period._new_PeriodIndex",
        REBUILDS_FIRST,
    ),
    (
        "pandas.core.indexes.datetimes._new_DatetimeIndex",
        REBUILDS_FIRST,
    ),
    (
        "pandas.core.indexes.timedeltas._new_TimedeltaIndex",
        REBUILDS_FIRST,
    ),
    (
        "pandas.core.indexes.interval._new_IntervalIndex",
        REBUILDS_FIRST,
    ),
    ("pandas._libs.tslibs.timestamps._unpickle_timestamp", DATA),
    ("pandas._libs.tslibs.timedeltas._timedelta_unpickle", DATA),
    ("pandas._libs.tslibs.nattype.__nat_unpickle", DATA),
    ("pandas._libs.sparse.BlockIndex", DATA),
    ("pandas._libs.sparse.IntIndex", DATA),
    // scikit-learn's binary trees rebuild their class with a helper.
    ("sklearn.neighbors._kd_tree.newObj", REBUILDS_FIRST),
    ("sklearn.neighbors._ball_tree.newObj", REBUILDS_FIRST),
    ("sklearn.neighbors._binary_tree.newObj", REBUILDS_FIRST),
    ("sklearn.metrics._dist_metrics.newObj", REBUILDS_FIRST),
    // joblib's array wrappers (the array bytes follow the wrapper).
    ("joblib.numpy_pickle.NumpyArrayWrapper", DATA),
    ("joblib.numpy_pickle.NDArrayWrapper", DATA),
    ("joblib.numpy_pickle.ZNDArrayWrapper", DATA),
    (
        "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper",
        DATA,
    ),
];

/// Lower-case names that are types rather than functions: NumPy scalar types and
/// PyTorch dtypes, layouts, memory formats and quantization schemes. Referenced
/// as data and called only to build a scalar.
const DATA_TYPES: &[(&str, &[&str])] = &[
    (
        "numpy",
        &[
            "bool_",
            "bool",
            "int8",
            "int16",
            "int32",
            "int64",
            "uint8",
            "uint16",
            "uint32",
            "uint64",
            "intc",
            "intp",
            "uintc",
            "uintp",
            "int_",
            "uint",
            "longlong",
            "ulonglong",
            "short",
            "ushort",
            "byte",
            "ubyte",
            "float16",
            "float32",
            "float64",
            "float96",
            "float128",
            "half",
            "single",
            "double",
            "longdouble",
            "float_",
            "complex64",
            "complex128",
            "complex192",
            "complex256",
            "csingle",
            "cdouble",
            "clongdouble",
            "complex_",
            "str_",
            "bytes_",
            "unicode_",
            "string_",
            "void",
            "object_",
            "datetime64",
            "timedelta64",
            "generic",
            "number",
        ],
    ),
    (
        "torch",
        &[
            "float32",
            "float",
            "float64",
            "double",
            "float16",
            "half",
            "bfloat16",
            "complex32",
            "complex64",
            "complex128",
            "cfloat",
            "cdouble",
            "chalf",
            "uint8",
            "int8",
            "int16",
            "short",
            "int32",
            "int",
            "int64",
            "long",
            "bool",
            "uint16",
            "uint32",
            "uint64",
            "quint8",
            "qint8",
            "qint32",
            "quint4x2",
            "quint2x4",
            "float8_e4m3fn",
            "float8_e5m2",
            "float8_e4m3fnuz",
            "float8_e5m2fnuz",
            "float8_e8m0fnu",
            "bits8",
            "bits16",
            "strided",
            "sparse_coo",
            "sparse_csr",
            "sparse_csc",
            "sparse_bsr",
            "sparse_bsc",
            "_mkldnn",
            "jagged",
            "contiguous_format",
            "channels_last",
            "channels_last_3d",
            "preserve_format",
            "per_tensor_affine",
            "per_channel_affine",
            "per_tensor_symmetric",
            "per_channel_symmetric",
            "per_channel_affine_float_qparams",
        ],
    ),
];

/// Packages whose classes may be rebuilt from saved state, and called with data
/// when their name is a class name.
const TRUSTED: &[&str] = &[
    "numpy",
    "scipy",
    "sklearn",
    "pandas",
    "torch",
    "torchvision",
    "torchaudio",
    "torchtext",
    "timm",
    "transformers",
    "tokenizers",
    "sentencepiece",
    "sentence_transformers",
    "xgboost",
    "lightgbm",
    "catboost",
    "statsmodels",
    "gensim",
    "imblearn",
    "category_encoders",
    "umap",
    "hdbscan",
    "networkx",
    "PIL",
    "joblib",
    "collections",
    "datetime",
];

/// Parts of trusted packages that read or write files, start processes, reach the
/// network or run code: nothing in them is trusted.
const UNTRUSTED: &[&str] = &[
    "numpy.testing",
    "numpy.f2py",
    "numpy.distutils",
    "numpy.ctypeslib",
    "numpy.lib._datasource",
    "numpy.DataSource",
    "numpy.memmap",
    "pandas.io",
    "pandas.HDFStore",
    "pandas.ExcelWriter",
    "pandas.ExcelFile",
    "pandas.core.computation",
    "pandas.testing",
    "pandas._testing",
    "pandas.util",
    "torch.hub",
    "torch.package",
    "torch.utils",
    "torch.distributed",
    "torch.multiprocessing",
    "torch._dynamo",
    "torch._inductor",
    "torch.jit",
    "torch.fx",
    "torch.onnx",
    "torch.backends",
    "torch.ops",
    "torch.library",
    "torch.classes",
    "torch._C",
    "torch.compiler",
    "torch.export",
    "torch.serialization",
    "torchvision.io",
    "torchvision.datasets",
    "torchaudio.io",
    "torchaudio.datasets",
    "transformers.dynamic_module_utils",
    "transformers.utils",
    "transformers.pipelines",
    "transformers.trainer",
    "transformers.hf_argparser",
    "sklearn.utils._testing",
    "sklearn.datasets",
    "sklearn.externals",
    "scipy.io",
    "scipy.weave",
    "scipy._lib._testutils",
    "xgboost.tracker",
    "xgboost.dask",
    "xgboost.spark",
    "xgboost.collective",
    "lightgbm.dask",
    "PIL.ImageShow",
    "PIL.EpsImagePlugin",
    "PIL.ImageGrab",
    "joblib.memory",
    "joblib.parallel",
    "joblib.Parallel",
    "joblib.Memory",
    "joblib.pool",
    "joblib.externals",
    "networkx.readwrite",
];

/// Where a name stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Known to be dangerous, and why.
    Dangerous(&'static str),
    /// A safe callable, with what it does with its arguments.
    Safe(Roles),
    /// A class-like name in a trusted package.
    TrustedClass,
    /// Any other name in a trusted package (a function: rebuildable as a class
    /// only, which fails harmlessly if it is not one).
    TrustedFunction,
    /// Allowed by the user's config.
    Allowed,
    /// Nothing known.
    Unknown,
}

/// Names the user allows in `.leakgate.yaml`: exact, or a module and `.*`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extra {
    exact: Vec<String>,
    prefixes: Vec<String>,
}

impl Extra {
    /// The user's entries, each a dotted name or `module.*` (checked by the config).
    pub fn new<S: AsRef<str>>(entries: &[S]) -> Extra {
        let mut extra = Extra::default();
        for e in entries {
            let e = e.as_ref();
            match e.strip_suffix(".*") {
                Some(prefix) => extra.prefixes.push(prefix.to_string()),
                None => extra.exact.push(e.to_string()),
            }
        }
        extra
    }

    fn allows(&self, full: &str) -> bool {
        self.exact.iter().any(|e| e == full)
            || self
                .prefixes
                .iter()
                .any(|p| danger::covers(p, full) && full != p)
    }
}

/// Where `name` stands: dangerous first (through any reading of a dotted path),
/// then safe, trusted, the user's, else unknown.
pub fn classify(name: &Name, extra: &Extra) -> Standing {
    if name.walks_internals() {
        return Standing::Dangerous(
            "walks Python internals (dunder attributes), which reach any object",
        );
    }
    for reading in name.readings() {
        if let Some(why) = danger::lookup(&reading) {
            return Standing::Dangerous(why);
        }
    }
    let full = name.full();
    if let Some((_, roles)) = SAFE.iter().find(|(n, _)| *n == full) {
        return Standing::Safe(roles);
    }
    if is_data_type(&name.module, &name.attr) {
        return Standing::Safe(DATA);
    }
    if extra.allows(&full) {
        return Standing::Allowed;
    }
    let trusted = TRUSTED.iter().any(|t| danger::covers(t, &full))
        && !UNTRUSTED.iter().any(|u| danger::covers(u, &full));
    if !trusted {
        return Standing::Unknown;
    }
    if is_cython_unpickle(&name.attr) {
        return Standing::Safe(REBUILDS_FIRST);
    }
    if looks_like_class(&name.attr) {
        Standing::TrustedClass
    } else {
        Standing::TrustedFunction
    }
}

fn is_data_type(module: &str, attr: &str) -> bool {
    DATA_TYPES
        .iter()
        .any(|(m, names)| *m == module && names.contains(&attr))
}

/// The helper Cython writes for a `cdef class` (`__pyx_unpickle_IntervalMixin(cls,
/// checksum, state)`): it checks the checksum, makes `cls` without a constructor
/// and sets its fields from `state`, so it rebuilds its first argument.
fn is_cython_unpickle(attr: &str) -> bool {
    attr.rsplit('.')
        .next()
        .is_some_and(|last| last.starts_with("__pyx_unpickle_") && !last.ends_with("__"))
}

/// A class name by Python convention: the last part starts with a capital,
/// perhaps after underscores (`Tree`, `_BinMapper`), and no part is a dunder.
fn looks_like_class(attr: &str) -> bool {
    if attr.split('.').any(|p| p.starts_with("__")) {
        return false;
    }
    let last = attr.rsplit('.').next().unwrap_or(attr);
    last.trim_start_matches('_')
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(module: &str, attr: &str, proto: u8) -> Standing {
        classify(&Name::resolve(module, attr, proto), &Extra::default())
    }

    #[test]
    fn tiers() {
        assert!(matches!(
            standing("posix", "system", 4),
            Standing::Dangerous(_)
        ));
        assert!(matches!(
            standing("__builtin__", "eval", 2),
            Standing::Dangerous(_)
        ));
        assert!(matches!(
            standing("pathlib", "os.system", 4),
            Standing::Dangerous(_)
        ));
        assert!(matches!(
            standing("collections", "OrderedDict.__init__.__globals__", 4),
            Standing::Dangerous(_)
        ));
        assert_eq!(
            standing("torch._utils", "_rebuild_tensor_v2", 2),
            Standing::Safe(DATA)
        );
        assert_eq!(
            standing("numpy._core.multiarray", "_reconstruct", 4),
            Standing::Safe(REBUILDS_FIRST)
        );
        assert_eq!(standing("torch", "float32", 2), Standing::Safe(DATA));
        assert_eq!(
            standing("sklearn.linear_model._logistic", "LogisticRegression", 4),
            Standing::TrustedClass
        );
        assert_eq!(
            standing("sklearn.tree._tree", "Tree", 4),
            Standing::TrustedClass
        );
        assert_eq!(
            standing("scipy.sparse._csr", "csr_matrix", 4),
            Standing::TrustedFunction
        );
        assert_eq!(
            standing("pandas.io.pytables", "HDFStore", 4),
            Standing::Unknown
        );
        assert_eq!(standing("pandas", "HDFStore", 4), Standing::Unknown);
        assert!(matches!(
            standing("numpy.testing._private.utils", "runstring", 4),
            Standing::Dangerous(_)
        ));
        assert_eq!(standing("mypkg.models", "Net", 4), Standing::Unknown);
        assert_eq!(
            standing("pandas._libs.interval", "__pyx_unpickle_IntervalMixin", 4),
            Standing::Safe(REBUILDS_FIRST)
        );
        assert_eq!(
            standing("mypkg", "__pyx_unpickle_Evil", 4),
            Standing::Unknown,
            "only in trusted packages"
        );
    }

    #[test]
    fn the_users_names_are_allowed_but_never_over_the_dangerous_list() {
        let extra = Extra::new(&["mypkg.models.*", "other.make"]);
        let c = |m: &str, a: &str| classify(&Name::resolve(m, a, 4), &extra);
        assert_eq!(c("mypkg.models", "Net"), Standing::Allowed);
        assert_eq!(c("mypkg.models.deep", "build"), Standing::Allowed);
        assert_eq!(c("other", "make"), Standing::Allowed);
        assert_eq!(c("other", "make2"), Standing::Unknown);
        assert_eq!(c("mypkg", "models"), Standing::Unknown);
        let extra = Extra::new(&["os.*"]);
        assert!(matches!(
            classify(&Name::resolve("os", "system", 4), &extra),
            Standing::Dangerous(_)
        ));
    }
}
