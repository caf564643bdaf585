# The warm launcher's body, run by launcher.py (`python3 launcher.py`) in its `__main__`, started before the run
# is known (docs/WARM.md). It waits on fd 3
# for the cold command line (`python3 /workspace/main.py args…`) and then runs that program as the command
# line would, in this interpreter, which has already started and imported `site`.
#
# The program runs in this very `__main__` module, with no frame of ours under it: CPython itself calls it.
# This script ends by raising a SystemExit; while CPython prints that error it first flushes sys.stderr, and
# sys.stderr's `flush` is then (for that one call) the program's module code. So the program's stack, its
# recursion limit, warnings' stack levels and tracebacks are those of a cold run. The module code is the
# program's own, compiled with its line numbers and wrapped in a try/except that only records how it ended;
# the SystemExit's `code` (read by CPython after the program is over) reports that end as a cold run would,
# and CPython then finalizes and exits as it always does.
#
# Whatever a cold run would do differently (interpreter options, a directory or zip, a .pyc, a syntax error
# or a compile-time warning, whose text comes from parsing the file) runs the cold command line instead.
#
# No docstring: this module's namespace becomes the program's, whose __doc__ starts as None.


def _launch():
    import os
    import sys
    import _signal

    ast_was_loaded = "_ast" in sys.modules
    import _ast
    namespace = sys.modules["__main__"].__dict__
    launcher_path = namespace["__file__"]
    # What runs after the program (the SystemExit's `code`) keeps this namespace and today's builtins: the
    # program may well have bound `type` or `print` by then.
    function = type(_launch)
    private = dict(namespace, __builtins__=dict(namespace["__builtins__"].__dict__))
    for name, value in private.items():
        if type(value) is function:
            private[name] = function(value.__code__, private, name, value.__defaults__, value.__closure__)

    this_interpreter = _is_this_interpreter(os, sys, "python3")  # the run line's, looked up ahead
    message = _read_go_message(os)
    if not message:
        os._exit(0)  # the runner is discarding this launcher
    cwd, argv = message
    os.chdir(cwd)
    program = _compiled_program(os, sys, _ast, argv, this_interpreter)
    if program is None:
        _run_cold(os, argv)
    path, code = program

    outcome = []
    placeholders = code.co_consts
    code = code.replace(co_consts=tuple(_constant_for(c, sys, outcome) for c in placeholders))

    # What a cold start leaves: sys.argv and sys.path[0] for the program's file, its __main__ namespace, the
    # importer cache entry CPython makes while checking that the file is not a zip; nothing of the launcher.
    sys.argv[:] = argv[1:]
    sys.orig_argv[:] = argv
    sys.path[0] = os.path.dirname(os.path.realpath(path))
    sys.path_importer_cache.pop(launcher_path, None)
    sys.path_importer_cache[path] = None
    for name in [name for name in namespace if name not in _COLD_NAMES]:
        del namespace[name]
    namespace["__doc__"] = None
    namespace["__loader__"] = type(namespace["__loader__"])("__main__", path)
    namespace["__file__"] = path
    namespace["__cached__"] = None
    if not ast_was_loaded:
        del sys.modules["_ast"]

    sys.stderr.flush = function(code, namespace)
    return private["_program_end"](os, sys, _signal, namespace, outcome)


_COLD_NAMES = ("__name__", "__doc__", "__package__", "__loader__", "__spec__", "__annotations__", "__builtins__",
               "__file__", "__cached__")
# Stand-ins for objects the wrapper's code refers to, replaced by the objects in the compiled code's constants.
_RECORD = "codebeaker-warm:record"
_SYS = "codebeaker-warm:sys"
_STDERR = "codebeaker-warm:stderr"
_BASE_EXCEPTION = "codebeaker-warm:BaseException"


def _read_go_message(os):
    """(cwd, argv) from fd 3, or None when it is closed with nothing on it."""
    chunks = []
    while True:
        chunk = os.read(3, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(3)
    fields = b"".join(chunks).split(b"\0")
    if fields and fields[-1] == b"":
        fields.pop()
    if not fields:
        return None
    cwd = None
    argv = []
    for field in fields:
        key, _, value = field.partition(b"=")
        if key == b"cwd":
            cwd = os.fsdecode(value)
        elif key == b"arg":
            argv.append(os.fsdecode(value))
    return cwd, argv


def _run_cold(os, argv):
    os.execvp(argv[0], argv)


def _compiled_program(os, sys, _ast, argv, this_interpreter):
    """(path, code) for `python3 file args…` of a source file that compiles cleanly, else None."""
    if not (3, 11) <= sys.version_info[:2] <= (3, 13):
        return None  # what this does was checked against these versions' startup only
    if len(argv) < 2 or argv[1].startswith("-"):
        return None
    if not (this_interpreter if argv[0] == "python3" else _is_this_interpreter(os, sys, argv[0])):
        return None
    # As CPython does, the file's name made absolute (__file__, tracebacks) but not normalized.
    path = argv[1] if argv[1].startswith("/") else os.path.join(os.getcwd(), argv[1])
    try:
        if not os.path.isfile(path) or path.endswith((".pyc", ".pyo")):
            return None
        with open(path, "rb") as file:
            source = file.read()
        if source[:2] == _pyc_magic()[:2] or _is_zip(path, source):
            return None
        # Warnings become errors, so that a program whose compilation warns runs cold and warns once.
        import _warnings
        _warnings.filters.insert(0, ("error", None, Warning, None, 0))
        _warnings._filters_mutated()
        try:
            tree = compile(source, path, "exec", _ast.PyCF_ONLY_AST, dont_inherit=True)
            code = compile(_wrapped(_ast, tree), path, "exec", dont_inherit=True)
        finally:
            del _warnings.filters[0]
            _warnings._filters_mutated()
        _load_declared_codec(source)
        return path, code
    except Exception:
        return None


def _load_declared_codec(source):
    """A cold run reads a file that declares an encoding other than UTF-8 through that codec, importing it."""
    import codecs
    lines = source.split(b"\n", 2)[:2]
    for number, line in enumerate(lines):
        comment = line.lstrip(b" \t\f")
        if not comment.startswith(b"#"):
            if number == 0 and comment.strip():
                return  # the second line counts only after a blank or comment-only first line
            continue
        at = comment.find(b"coding")
        while at >= 0:
            rest = comment[at + 6:]
            if rest[:1] in (b":", b"="):
                name = rest[1:].lstrip(b" \t")
                end = 0
                while end < len(name) and (name[end:end + 1].isalnum() or name[end:end + 1] in b"-_."):
                    end += 1
                if end:
                    codecs.lookup(name[:end].decode("ascii"))
                    return
            at = comment.find(b"coding", at + 6)


def _is_this_interpreter(os, sys, command):
    if os.sep in command:
        return os.path.realpath(command) == os.path.realpath(sys.executable)
    for directory in os.environ.get("PATH", os.defpath).split(os.pathsep):
        candidate = os.path.join(directory or ".", command)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.realpath(candidate) == os.path.realpath(sys.executable)
    return False


def _pyc_magic():
    import _imp
    return _imp.pyc_magic_number_token.to_bytes(4, "little") if hasattr(_imp, "pyc_magic_number_token") else \
        __import__("_frozen_importlib_external").MAGIC_NUMBER


def _is_zip(path, source):
    if b"PK\x05\x06" not in source[-65557:]:
        return False  # no end of a zip's central directory, which zipimport looks for in the last 64 KiB
    import zipimport
    try:
        zipimport.zipimporter(path)
    except zipimport.ZipImportError:
        return False
    return True


def _wrapped(_ast, tree):
    """The module with its body (after its docstring and __future__ imports) inside
    `try: del <stderr>.flush; <body> except <BaseException>: <record>.append(<sys>.exception())`."""
    body = list(tree.body)
    head = []
    if body and isinstance(body[0], _ast.Expr) and isinstance(body[0].value, _ast.Constant) \
            and isinstance(body[0].value.value, str):
        head.append(body.pop(0))
    while body and isinstance(body[0], _ast.ImportFrom) and body[0].module == "__future__":
        head.append(body.pop(0))
    line = body[0].lineno if body else (head[-1].end_lineno if head else 1)

    def at(node):
        node.lineno = node.end_lineno = line
        node.col_offset = node.end_col_offset = 0
        for child in _ast_children(_ast, node):
            at(child)
        return node

    unhook = _ast.Delete(targets=[_ast.Attribute(value=_ast.Constant(_STDERR), attr="flush", ctx=_ast.Del())])
    record = _ast.Expr(_ast.Call(
        func=_ast.Attribute(value=_ast.Constant(_RECORD), attr="append", ctx=_ast.Load()),
        args=[_ast.Call(func=_ast.Attribute(value=_ast.Constant(_SYS), attr="exception", ctx=_ast.Load()),
                        args=[], keywords=[])],
        keywords=[]))
    handler = _ast.ExceptHandler(type=_ast.Constant(_BASE_EXCEPTION), name=None, body=[at(record)])
    at(handler)
    guarded = _ast.Try(body=[at(unhook), *body], handlers=[handler], orelse=[], finalbody=[])
    guarded.lineno = guarded.end_lineno = line
    guarded.col_offset = guarded.end_col_offset = 0
    return _ast.Module(body=[*head, guarded], type_ignores=[])


def _ast_children(_ast, node):
    for field in node._fields:
        value = getattr(node, field, None)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, _ast.AST):
                yield item


def _constant_for(constant, sys, outcome):
    if type(constant) is not str:
        return constant
    return {_RECORD: outcome, _SYS: sys, _STDERR: sys.stderr, _BASE_EXCEPTION: BaseException}.get(constant, constant)


def _program_end(os, sys, _signal, namespace, outcome):
    """The SystemExit this script ends with; CPython reads its `code` once the program is over."""

    def exit_code(_):
        ended = outcome.pop() if outcome else None
        try:
            sys.stderr.flush()
        except Exception:
            pass
        if isinstance(ended, SystemExit):
            return ended.code  # as cold, CPython exits at once, with the file's name still in __main__
        if ended is not None:
            exit_from_hook = _print_uncaught(sys, ended)
            if exit_from_hook:
                return exit_from_hook[0]
        namespace.pop("__file__", None)
        namespace.pop("__cached__", None)
        if ended is None:
            return 0
        if type(ended) is KeyboardInterrupt:
            _die_of_sigint(os, sys, _signal)
        return 1

    return type("ProgramEnd", (SystemExit,), {"code": property(exit_code)})()


def _print_uncaught(sys, error):
    """What CPython's PyErr_Print does with an uncaught exception; (code,) when sys.excepthook raised SystemExit."""
    kind = type(error)
    traceback = error.__traceback__
    if sys.version_info >= (3, 12):
        sys.last_exc = error
    sys.last_type, sys.last_value, sys.last_traceback = kind, error, traceback
    hook = sys.__dict__.get("excepthook")
    try:
        sys.audit("sys.excepthook", hook, kind, error, traceback)
    except RuntimeError:
        return None
    except Exception:
        pass
    if hook is None:
        sys.stderr.write("sys.excepthook is missing\n")
        sys.__excepthook__(kind, error, traceback)
        return None
    try:
        hook(kind, error, traceback)
    except SystemExit as exit_from_hook:
        return (exit_from_hook.code,)
    except BaseException as hook_error:
        hook_error.__traceback__ = hook_error.__traceback__.tb_next  # without this function's frame
        sys.stderr.write("Error in sys.excepthook:\n")
        sys.__excepthook__(type(hook_error), hook_error, hook_error.__traceback__)
        sys.stderr.write("\nOriginal exception was:\n")
        sys.__excepthook__(kind, error, traceback)
    return None


def _die_of_sigint(os, sys, _signal):
    """A cold run with an uncaught KeyboardInterrupt finalizes and then kills itself with SIGINT: the threads,
    the atexit functions and the final flush here, then the signal."""
    threading = sys.modules.get("threading")
    if threading is not None:
        threading._shutdown()
    import atexit
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    _signal.signal(_signal.SIGINT, _signal.SIG_DFL)
    os.kill(os.getpid(), _signal.SIGINT)


raise _launch()
