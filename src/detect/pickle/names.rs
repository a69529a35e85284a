//! How CPython's unpickler turns a (module, name) pair into an object, as far as a
//! scanner can follow it without importing anything.
//!
//! Two steps matter: below protocol 3 the unpickler maps Python 2 names onto their
//! Python 3 homes (`_compat_pickle`: `__builtin__.eval` is `builtins.eval`,
//! `commands.getoutput` is `subprocess.getoutput`), and a dotted name is a chain of
//! attribute lookups from the module (`STACK_GLOBAL('pathlib', 'os.system')` reaches
//! `os.system` through the `os` that `pathlib` imports). [`Name`] keeps the name
//! the unpickler will look up; [`Name::readings`] lists every module-qualified
//! name the chain can stand for, so a dangerous object reached through another
//! module's namespace is still recognised.

/// A resolved global: the module the unpickler imports and the (possibly dotted)
/// attribute path it looks up there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The module imported (after the Python 2 mapping).
    pub module: String,
    /// The attribute path within it.
    pub attr: String,
    /// What the file wrote, when the Python 2 mapping changed it.
    pub written: Option<String>,
}

impl Name {
    /// The name as the unpickler resolves it at protocol `proto`.
    pub fn resolve(module: &str, attr: &str, proto: u8) -> Name {
        if proto < 3 {
            let (m, a) = fix_imports(module, attr);
            if m != module || a != attr {
                return Name {
                    module: m,
                    attr: a,
                    written: Some(format!("{module}.{attr}")),
                };
            }
        }
        Name {
            module: module.to_string(),
            attr: attr.to_string(),
            written: None,
        }
    }

    /// `module.attr`.
    pub fn full(&self) -> String {
        format!("{}.{}", self.module, self.attr)
    }

    /// Every fully qualified name the lookup may stand for: `module.attr` itself,
    /// and for a dotted path each tail of it (`pathlib` + `os.system` may be
    /// `os.system`, since `pathlib.os` is the `os` module).
    pub fn readings(&self) -> Vec<String> {
        let mut out = vec![self.full()];
        let parts: Vec<&str> = self.attr.split('.').collect();
        for i in 0..parts.len().saturating_sub(1) {
            out.push(parts[i..].join("."));
        }
        out
    }

    /// Whether the attribute path walks through a dunder (`__globals__`,
    /// `__builtins__`, `__class__`, ...): the way out of any namespace.
    pub fn walks_internals(&self) -> bool {
        self.attr.contains('.') && self.attr.split('.').any(|p| p.starts_with("__"))
    }

    /// Whether the module and attribute are names Python can import and look up:
    /// dotted identifiers. Anything else fails to load before it can run.
    pub fn is_importable(&self) -> bool {
        is_dotted_identifier(&self.module) && is_dotted_identifier(&self.attr)
    }
}

/// `_compat_pickle`'s mapping, applied as `Unpickler.find_class` does below
/// protocol 3: a (module, name) pair first, then the module alone.
pub fn fix_imports(module: &str, name: &str) -> (String, String) {
    if module == "exceptions" && EXCEPTIONS.contains(&name) {
        let name = if name == "StandardError" {
            "Exception"
        } else {
            name
        };
        return ("builtins".into(), name.into());
    }
    if let Some((_, (m, n))) = NAME_MAPPING
        .iter()
        .find(|((m, n), _)| *m == module && *n == name)
    {
        return (m.to_string(), n.to_string());
    }
    if let Some((_, m)) = IMPORT_MAPPING.iter().find(|(m, _)| *m == module) {
        return (m.to_string(), name.into());
    }
    (module.into(), name.into())
}

/// A dotted path of Python identifiers (`a.b_c.D1`); non-ASCII letters are
/// accepted as Python accepts them.
pub fn is_dotted_identifier(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(is_identifier)
}

fn is_identifier(part: &str) -> bool {
    let mut chars = part.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let ok = |c: char| c == '_' || c.is_alphanumeric();
    (first == '_' || first.is_alphabetic()) && chars.all(ok)
}

/// `_compat_pickle.IMPORT_MAPPING`: Python 2 module names and their Python 3 homes.
pub(crate) const IMPORT_MAPPING: &[(&str, &str)] = &[
    ("BaseHTTPServer", "http.server"),
    ("CGIHTTPServer", "http.server"),
    ("ConfigParser", "configparser"),
    ("Cookie", "http.cookies"),
    ("Dialog", "tkinter.dialog"),
    ("DocXMLRPCServer", "xmlrpc.server"),
    ("FileDialog", "tkinter.filedialog"),
    ("HTMLParser", "html.parser"),
    ("Queue", "queue"),
    ("ScrolledText", "tkinter.scrolledtext"),
    ("SimpleDialog", "tkinter.simpledialog"),
    ("SimpleHTTPServer", "http.server"),
    ("SimpleXMLRPCServer", "xmlrpc.server"),
    ("SocketServer", "socketserver"),
    ("StringIO", "io"),
    ("Tix", "tkinter.tix"),
    ("Tkconstants", "tkinter.constants"),
    ("Tkdnd", "tkinter.dnd"),
    ("Tkinter", "tkinter"),
    ("UserDict", "collections"),
    ("UserList", "collections"),
    ("UserString", "collections"),
    ("__builtin__", "builtins"),
    ("_abcoll", "collections.abc"),
    ("_elementtree", "xml.etree.ElementTree"),
    ("_winreg", "winreg"),
    ("anydbm", "dbm"),
    ("cPickle", "pickle"),
    ("cStringIO", "io"),
    ("commands", "subprocess"),
    ("cookielib", "http.cookiejar"),
    ("copy_reg", "copyreg"),
    ("dbhash", "dbm.bsd"),
    ("dbm", "dbm.ndbm"),
    ("dumbdbm", "dbm.dumb"),
    ("dummy_thread", "_dummy_thread"),
    ("gdbm", "dbm.gnu"),
    ("htmlentitydefs", "html.entities"),
    ("httplib", "http.client"),
    ("markupbase", "_markupbase"),
    ("repr", "reprlib"),
    ("robotparser", "urllib.robotparser"),
    ("test.test_support", "test.support"),
    ("thread", "_thread"),
    ("tkColorChooser", "tkinter.colorchooser"),
    ("tkCommonDialog", "tkinter.commondialog"),
    ("tkFileDialog", "tkinter.filedialog"),
    ("tkFont", "tkinter.font"),
    ("tkMessageBox", "tkinter.messagebox"),
    ("tkSimpleDialog", "tkinter.simpledialog"),
    ("ttk", "tkinter.ttk"),
    ("urllib2", "urllib.request"),
    ("urlparse", "urllib.parse"),
    ("whichdb", "dbm"),
    ("xmlrpclib", "xmlrpc.client"),
];

/// `_compat_pickle.NAME_MAPPING` without the `exceptions` module (see [`map_exception`]).
/// A (module, name) pair.
type Pair = (&'static str, &'static str);

pub(crate) const NAME_MAPPING: &[(Pair, Pair)] = &[
    (
        ("UserDict", "IterableUserDict"),
        ("collections", "UserDict"),
    ),
    (("UserDict", "UserDict"), ("collections", "UserDict")),
    (("UserList", "UserList"), ("collections", "UserList")),
    (("UserString", "UserString"), ("collections", "UserString")),
    (("__builtin__", "basestring"), ("builtins", "str")),
    (("__builtin__", "intern"), ("sys", "intern")),
    (("__builtin__", "long"), ("builtins", "int")),
    (("__builtin__", "reduce"), ("functools", "reduce")),
    (("__builtin__", "unichr"), ("builtins", "chr")),
    (("__builtin__", "unicode"), ("builtins", "str")),
    (("__builtin__", "xrange"), ("builtins", "range")),
    (
        ("_multiprocessing", "Connection"),
        ("multiprocessing.connection", "Connection"),
    ),
    (("_socket", "fromfd"), ("socket", "fromfd")),
    (("itertools", "ifilter"), ("builtins", "filter")),
    (("itertools", "ifilterfalse"), ("itertools", "filterfalse")),
    (("itertools", "imap"), ("builtins", "map")),
    (("itertools", "izip"), ("builtins", "zip")),
    (("itertools", "izip_longest"), ("itertools", "zip_longest")),
    (
        ("multiprocessing", "AuthenticationError"),
        ("multiprocessing.context", "AuthenticationError"),
    ),
    (
        ("multiprocessing", "BufferTooShort"),
        ("multiprocessing.context", "BufferTooShort"),
    ),
    (
        ("multiprocessing", "ProcessError"),
        ("multiprocessing.context", "ProcessError"),
    ),
    (
        ("multiprocessing", "TimeoutError"),
        ("multiprocessing.context", "TimeoutError"),
    ),
    (
        ("multiprocessing.forking", "Popen"),
        ("multiprocessing.popen_fork", "Popen"),
    ),
    (
        ("multiprocessing.process", "Process"),
        ("multiprocessing.context", "Process"),
    ),
    (("socket", "_socketobject"), ("socket", "SocketType")),
    (
        ("urllib", "ContentTooShortError"),
        ("urllib.error", "ContentTooShortError"),
    ),
    (("urllib", "getproxies"), ("urllib.request", "getproxies")),
    (
        ("urllib", "pathname2url"),
        ("urllib.request", "pathname2url"),
    ),
    (("urllib", "quote"), ("urllib.parse", "quote")),
    (("urllib", "quote_plus"), ("urllib.parse", "quote_plus")),
    (("urllib", "unquote"), ("urllib.parse", "unquote")),
    (("urllib", "unquote_plus"), ("urllib.parse", "unquote_plus")),
    (
        ("urllib", "url2pathname"),
        ("urllib.request", "url2pathname"),
    ),
    (("urllib", "urlcleanup"), ("urllib.request", "urlcleanup")),
    (("urllib", "urlencode"), ("urllib.parse", "urlencode")),
    (("urllib", "urlopen"), ("urllib.request", "urlopen")),
    (("urllib", "urlretrieve"), ("urllib.request", "urlretrieve")),
    (("urllib2", "HTTPError"), ("urllib.error", "HTTPError")),
    (("urllib2", "URLError"), ("urllib.error", "URLError")),
    (("whichdb", "whichdb"), ("dbm", "whichdb")),
];

/// The Python 2 `exceptions` names `_compat_pickle` maps to `builtins`.
pub(crate) const EXCEPTIONS: &[&str] = &[
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "BaseException",
    "BufferError",
    "BytesWarning",
    "DeprecationWarning",
    "EOFError",
    "EnvironmentError",
    "Exception",
    "FloatingPointError",
    "FutureWarning",
    "GeneratorExit",
    "IOError",
    "ImportError",
    "ImportWarning",
    "IndentationError",
    "IndexError",
    "KeyError",
    "KeyboardInterrupt",
    "LookupError",
    "MemoryError",
    "NameError",
    "NotImplementedError",
    "OSError",
    "OverflowError",
    "PendingDeprecationWarning",
    "ReferenceError",
    "RuntimeError",
    "RuntimeWarning",
    "StandardError",
    "StopIteration",
    "SyntaxError",
    "SyntaxWarning",
    "SystemError",
    "SystemExit",
    "TabError",
    "TypeError",
    "UnboundLocalError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "UnicodeError",
    "UnicodeTranslateError",
    "UnicodeWarning",
    "UserWarning",
    "ValueError",
    "Warning",
    "ZeroDivisionError",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python2_names_map_below_protocol_3_only() {
        let n = Name::resolve("__builtin__", "eval", 2);
        assert_eq!(n.full(), "builtins.eval");
        assert_eq!(n.written.as_deref(), Some("__builtin__.eval"));
        assert_eq!(
            Name::resolve("__builtin__", "eval", 3).full(),
            "__builtin__.eval"
        );
        assert_eq!(
            Name::resolve("commands", "getoutput", 0).full(),
            "subprocess.getoutput"
        );
        assert_eq!(Name::resolve("cPickle", "loads", 1).full(), "pickle.loads");
        assert_eq!(
            Name::resolve("copy_reg", "_reconstructor", 2).full(),
            "copyreg._reconstructor"
        );
        assert_eq!(
            Name::resolve("__builtin__", "xrange", 2).full(),
            "builtins.range"
        );
        assert_eq!(
            Name::resolve("exceptions", "StandardError", 2).full(),
            "builtins.Exception"
        );
        assert_eq!(Name::resolve("itertools", "imap", 2).full(), "builtins.map");
    }

    #[test]
    fn dotted_paths_are_read_through_other_modules() {
        let n = Name::resolve("pathlib", "os.system", 4);
        assert_eq!(n.readings(), vec!["pathlib.os.system", "os.system"]);
        assert!(!n.walks_internals());
        let n = Name::resolve("collections", "OrderedDict.__init__.__globals__", 4);
        assert!(n.walks_internals());
        assert!(!Name::resolve("copyreg", "__newobj__", 2).walks_internals());
    }

    #[test]
    fn identifiers() {
        assert!(is_dotted_identifier("numpy._core.multiarray"));
        assert!(is_dotted_identifier("_reconstruct"));
        assert!(!is_dotted_identifier("os system"));
        assert!(!is_dotted_identifier("a..b"));
        assert!(!is_dotted_identifier("1abc"));
        assert!(!is_dotted_identifier(""));
    }
}
