//! Callables known to run code, touch the system or load more code when a pickle
//! calls them, each with why. An entry names a module (every name in it and its
//! submodules) or one object; [`lookup`] matches a fully qualified name against
//! them. This list only sharpens the report (critical, with a reason): anything
//! the allowlist does not know blocks anyway, as an unknown callable.

/// `(module or object, why it is dangerous)`.
const DANGEROUS: &[(&str, &str)] = &[
    // Processes and the shell.
    ("os", "the os module runs commands, spawns processes and changes files"),
    ("posix", "posix is the os module on Unix: it runs commands and changes files"),
    ("nt", "nt is the os module on Windows: it runs commands and changes files"),
    ("subprocess", "runs a program or a shell command"),
    ("_posixsubprocess", "starts a process"),
    ("pty", "spawns a process on a pseudo-terminal"),
    ("popen2", "runs a shell command"),
    ("commands", "runs a shell command"),
    ("multiprocessing", "starts processes and runs code in them (multiprocessing.util.spawnv_passfds runs a program)"),
    ("_multiprocessing", "starts processes"),
    ("concurrent.futures.process", "starts processes"),
    ("asyncio", "asyncio starts subprocesses and opens connections"),
    ("signal", "changes signal handlers of the loading process"),
    ("_thread", "starts threads running arbitrary callables"),
    ("threading", "starts threads running arbitrary callables"),
    ("platform.popen", "runs a shell command"),
    ("uuid._popen", "runs a program"),
    ("uuid._get_command_stdout", "runs a program"),
    ("distutils", "runs compilers and programs"),
    ("setuptools", "runs build scripts"),
    ("pip", "installs packages (runs their code)"),
    ("ensurepip", "installs packages"),
    ("venv", "creates environments and runs programs"),
    ("webbrowser", "opens a browser on an attacker-chosen URL (runs a program)"),
    ("antigravity", "opens a web browser when imported"),
    ("idlelib", "runs an interpreter"),
    ("turtledemo", "runs demo code"),
    // Evaluating code.
    ("builtins.eval", "evaluates a Python expression"),
    ("builtins.exec", "executes Python code"),
    ("builtins.execfile", "executes a Python file"),
    ("builtins.compile", "compiles Python code for execution"),
    ("builtins.__import__", "imports any module by name"),
    ("builtins.getattr", "reaches any attribute of any object (the way to call methods such as os.system)"),
    ("builtins.setattr", "changes attributes of any object"),
    ("builtins.delattr", "deletes attributes of any object"),
    ("builtins.globals", "exposes the interpreter's globals"),
    ("builtins.locals", "exposes the interpreter's locals"),
    ("builtins.vars", "exposes an object's namespace"),
    ("builtins.open", "opens (and can truncate) any file"),
    ("builtins.input", "reads from the terminal of the loading process"),
    ("builtins.breakpoint", "starts a debugger"),
    ("builtins.exit", "exits the loading process"),
    ("builtins.quit", "exits the loading process"),
    ("builtins.help", "starts the interactive help"),
    ("builtins.apply", "calls any callable (Python 2)"),
    ("builtins.reload", "re-imports a module (Python 2)"),
    ("builtins.file", "opens any file (Python 2)"),
    ("builtins.raw_input", "reads from the terminal (Python 2)"),
    ("code", "runs Python source (code.InteractiveInterpreter.runsource)"),
    ("codeop", "compiles Python source"),
    ("doctest", "executes Python source (doctest.debug_src)"),
    ("pdb", "runs a debugger that executes code"),
    ("bdb", "runs code under a debugger"),
    ("timeit", "executes Python source"),
    ("profile", "executes Python source"),
    ("cProfile", "executes Python source"),
    ("trace", "executes Python source"),
    ("runpy", "runs a module or script"),
    ("types", "builds functions and code objects from data (types.FunctionType, types.CodeType)"),
    ("marshal", "loads code objects (marshal.loads)"),
    ("operator.attrgetter", "reaches attributes of any object"),
    ("operator.methodcaller", "calls any method of any object"),
    ("inspect", "reaches frames and code of the interpreter"),
    ("gc", "reaches every object of the interpreter"),
    ("sys", "the sys module reaches every module of the interpreter and changes how it runs"),
    ("site", "changes the import path and runs .pth files"),
    ("logging.config", "logging.config builds objects by name and listens for code"),
    ("pydoc", "runs a pager program and imports by name (pydoc.pipepager, pydoc.locate)"),
    ("unittest.mock", "builds objects that run arbitrary callables"),
    ("test", "CPython's test package runs code and scripts"),
    ("numexpr.evaluate", "evaluates an expression"),
    ("sympy.sympify", "evaluates an expression"),
    ("sympy.parsing", "evaluates an expression"),
    ("jinja2", "renders templates that run code"),
    ("mako", "renders templates that run code"),
    // Imports by name.
    ("importlib", "imports any module by name (importlib.import_module)"),
    ("imp", "imports any module by name"),
    ("pkgutil", "imports any object by name (pkgutil.resolve_name)"),
    ("zipimport", "imports code from an archive"),
    // Native code.
    ("ctypes", "calls native functions and loads shared libraries"),
    ("_ctypes", "calls native functions"),
    ("cffi", "loads shared libraries and calls native functions"),
    ("numpy.ctypeslib", "loads shared libraries"),
    // Files.
    ("io.open", "opens (and can truncate) any file"),
    ("io.open_code", "opens any file"),
    ("io.FileIO", "opens (and can truncate) any file"),
    ("_io.open", "opens (and can truncate) any file"),
    ("_io.open_code", "opens any file"),
    ("_io.FileIO", "opens (and can truncate) any file"),
    ("codecs.open", "opens (and can truncate) any file"),
    ("fileinput", "opens files and can rewrite them in place"),
    ("shutil", "copies, moves and deletes files and trees"),
    ("tempfile", "creates files and directories"),
    ("pathlib.Path.write_text", "writes any file"),
    ("pathlib.Path.write_bytes", "writes any file"),
    ("shelve", "opens a database of pickles"),
    ("dbm", "opens database files"),
    ("numpy.memmap", "maps (and can create or truncate) a file"),
    ("numpy.save", "writes a file"),
    ("numpy.savez", "writes a file"),
    ("numpy.fromfile", "reads any file"),
    // The network.
    ("socket", "opens network connections"),
    ("_socket", "opens network connections"),
    ("ssl", "opens network connections"),
    ("socketserver", "starts a network server"),
    ("http.client", "makes network requests"),
    ("http.server", "starts a web server"),
    ("urllib.request", "fetches URLs (and can download files)"),
    ("urllib2", "fetches URLs"),
    ("ftplib", "opens FTP connections"),
    ("smtplib", "sends mail"),
    ("telnetlib", "opens telnet connections"),
    ("poplib", "opens mail connections"),
    ("imaplib", "opens mail connections"),
    ("xmlrpc", "makes remote procedure calls"),
    ("requests", "makes network requests"),
    ("httpx", "makes network requests"),
    ("urllib3", "makes network requests"),
    ("aiohttp", "makes network requests"),
    ("paramiko", "opens SSH connections and runs remote commands"),
    // Nested loaders: load more code from bytes or files.
    ("pickle", "loads another pickle (code runs)"),
    ("_pickle", "loads another pickle (code runs)"),
    ("cPickle", "loads another pickle (code runs)"),
    ("pickletools", "pickle tooling"),
    ("copyreg.add_extension", "registers names behind EXT opcodes"),
    ("dill", "loads pickles and code objects"),
    ("cloudpickle", "loads pickles with code objects"),
    ("jsonpickle", "loads objects by name"),
    ("joblib.load", "loads another joblib file (a pickle: code runs)"),
    ("joblib.numpy_pickle.load", "loads another joblib file (a pickle: code runs)"),
    ("joblib.numpy_pickle.NumpyUnpickler", "a pickle loader"),
    ("joblib.parallel", "runs callables in worker processes"),
    ("joblib.Parallel", "runs callables in worker processes"),
    ("numpy.load", "loads a .npy/.npz/pickle (with allow_pickle, code runs)"),
    ("numpy.lib.npyio.load", "loads a .npy/.npz/pickle (with allow_pickle, code runs)"),
    ("numpy.lib._npyio_impl.load", "loads a .npy/.npz/pickle (with allow_pickle, code runs)"),
    ("numpy.lib.format.read_array", "loads a .npy with pickled objects"),
    ("numpy.lib._format_impl.read_array", "loads a .npy with pickled objects"),
    ("numpy.testing", "numpy.testing runs code (numpy.testing._private.utils.runstring is exec)"),
    ("numpy.f2py", "compiles and runs Fortran and C builds"),
    ("numpy.distutils", "runs compilers and shell commands (numpy.distutils.exec_command)"),
    ("numpy.lib.utils", "imports and inspects by name"),
    ("numpy.DataSource", "opens files and URLs"),
    ("numpy.lib._datasource", "opens files and URLs"),
    ("torch.load", "loads another PyTorch file (a pickle: code runs)"),
    ("torch.serialization.load", "loads another PyTorch file (a pickle: code runs)"),
    ("torch.hub", "downloads and runs a repository's code (torch.hub.load)"),
    ("torch.jit.load", "loads a TorchScript program"),
    ("torch.package", "imports code packaged in an archive"),
    ("torch.utils.cpp_extension", "compiles and loads native code"),
    ("torch.utils.data.datapipes", "datapipes run callables"),
    ("torch._dynamo", "compiles and runs code"),
    ("torch._inductor", "compiles and runs code"),
    ("torch.fx.graph_module._forward_from_src", "executes Python source"),
    ("torch.fx.graph_module.reduce_graph_module", "executes Python source"),
    ("torch.fx.graph_module.reduce_package_graph_module", "executes Python source"),
    ("torch.fx.graph_module.reduce_deploy_graph_module", "executes Python source"),
    ("torch.distributed", "opens network connections and runs remote calls"),
    ("torch.library", "registers native operators"),
    ("torch.ops", "calls native operators by name"),
    ("torch.classes", "loads native classes"),
    ("torch._C", "calls native internals"),
    ("torch.storage._load_from_bytes", "loads another PyTorch file from bytes (torch.load: code runs)"),
    ("pandas.read_pickle", "loads another pickle (code runs)"),
    ("pandas.io.pickle", "loads another pickle (code runs)"),
    ("pandas.eval", "evaluates an expression"),
    ("pandas.core.computation", "evaluates expressions"),
    ("pandas.io.clipboard", "runs clipboard programs"),
    ("keras.models.load_model", "loads another Keras model (can run its code)"),
    ("keras.saving", "loads Keras models (can run code)"),
    ("tensorflow.keras.models.load_model", "loads another Keras model"),
    ("tensorflow.io", "reads and writes files"),
    ("tensorflow.py_function", "runs a Python callable"),
    ("tensorflow.numpy_function", "runs a Python callable"),
    ("tensorflow.compat.v1.py_func", "runs a Python callable"),
    ("yaml.load", "loads YAML that can build any object"),
    ("yaml.unsafe_load", "loads YAML that can build any object"),
    ("yaml.full_load", "loads YAML that can build objects"),
    ("yaml.UnsafeLoader", "a YAML loader that builds any object"),
    ("ruamel.yaml", "loads YAML that can build objects"),
    ("xml.sax", "parses XML that can fetch files"),
    ("sqlite3", "opens (and creates) database files"),
    ("tarfile", "extracts archives onto the file system"),
    ("zipfile", "extracts archives onto the file system"),
    ("_winapi", "calls the Windows API"),
    ("winreg", "changes the Windows registry"),
    ("_winreg", "changes the Windows registry"),
    ("msvcrt", "calls the C runtime"),
    ("tkinter", "opens windows and runs Tcl code"),
    ("_tkinter", "runs Tcl code"),
    ("readline", "changes the terminal"),
    ("rlcompleter", "evaluates expressions"),
    ("cmd", "runs a command interpreter"),
];

/// Why `full` (a fully qualified name) is dangerous, if it is.
pub fn lookup(full: &str) -> Option<&'static str> {
    DANGEROUS
        .iter()
        .find(|(entry, _)| covers(entry, full))
        .map(|(_, why)| *why)
}

/// Whether a dotted `entry` names `full` or a module or object containing it.
pub fn covers(entry: &str, full: &str) -> bool {
    full == entry || (full.starts_with(entry) && full.as_bytes().get(entry.len()) == Some(&b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_cover_their_names_and_submodules_only() {
        assert!(lookup("os.system").is_some());
        assert!(lookup("os.path.join").is_some());
        assert!(lookup("posix.system").is_some());
        assert!(lookup("nt.system").is_some());
        assert!(lookup("ntpath.join").is_none());
        assert!(lookup("builtins.eval").is_some());
        assert!(lookup("builtins.set").is_none());
        assert!(lookup("numpy.testing._private.utils.runstring").is_some());
        assert!(lookup("numpy.core.multiarray._reconstruct").is_none());
        assert!(lookup("code.InteractiveInterpreter.runsource").is_some());
        assert!(lookup("codecs.encode").is_none());
        assert!(lookup("multiprocessing.util.spawnv_passfds").is_some());
    }
}
