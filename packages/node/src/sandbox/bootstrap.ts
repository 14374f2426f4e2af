// The Python prologue that runs before untrusted code: resource limits, dropping root to an
// unprivileged uid, and — without namespaces — an audit hook that refuses sockets, new processes and
// files outside the working folder and the interpreter's own. It then runs program.py.

export const PYTHON_BOOTSTRAP = String.raw`
import json, os, resource, sys

_cfg = json.loads(sys.argv[1])

def _limit(which, value):
    try:
        resource.setrlimit(which, (value, value))
    except (ValueError, OSError):
        soft, hard = resource.getrlimit(which)
        if hard == resource.RLIM_INFINITY or value < hard:
            resource.setrlimit(which, (value, hard))

_limit(resource.RLIMIT_AS, _cfg["memoryBytes"])
_limit(resource.RLIMIT_CPU, _cfg["cpuSeconds"])
_limit(resource.RLIMIT_FSIZE, _cfg["fileBytes"])
_limit(resource.RLIMIT_NOFILE, 64)
_limit(resource.RLIMIT_CORE, 0)
if os.getuid() == 0 and _cfg.get("uid") is not None:
    os.setgroups([])
    os.setgid(_cfg["gid"])
    os.setuid(_cfg["uid"])
    if os.getuid() == 0 or os.geteuid() == 0:
        sys.stderr.write("sandbox: could not drop root\n")
        os._exit(97)
# after the uid change: RLIMIT_NPROC counts the processes of the (dedicated) uid
_limit(resource.RLIMIT_NPROC, _cfg["maxProcesses"])

def _install_guard():
    # Without namespaces nothing else stands between the code and this user's files, sockets and
    # processes: an audit hook (which code cannot remove) refuses them. Everything it uses is bound
    # now, as defaults, so later monkeypatching of os/str helpers cannot change its decisions.
    import posix
    cwd = posix.getcwd()
    roots = []
    for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix):
        for q in (p, os.path.realpath(p)):
            if q and q != "/" and q + "/" not in roots:
                roots.append(q + "/")
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    blocked = frozenset((
        "os.fork", "os.forkpty", "os.exec", "os.posix_spawn", "os.spawn", "os.system", "subprocess.Popen",
        "os.kill", "os.killpg", "os.chdir", "os.chroot", "os.symlink", "os.link", "os.rename",
        "ctypes.dlopen", "ctypes.dlsym", "ctypes.call_function", "sys.remote_exec",
    ))
    network = frozenset((
        "socket.__new__", "socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg",
        "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr", "socket.getnameinfo",
    ))
    no_import = frozenset(("ctypes", "_ctypes", "_posixsubprocess"))
    no_net_import = frozenset(("_socket", "socket", "_ssl", "ssl"))

    def inside(path, cwd=cwd, roots=tuple(roots), fspath=posix.fspath, str_=str, bytes_=bytes, int_=int):
        t = type(path)
        if t is int_:
            return True, True  # an already open descriptor
        if t is not str_ and t is not bytes_:
            path = fspath(path)
            t = type(path)
        if t is bytes_:
            path = path.decode("utf-8", "surrogateescape")
        if "\0" in path:
            return False, False
        parts = path.split("/")
        if ".." in parts:
            return False, False  # '..' after a symlink leaves any prefix a lexical check trusts
        full = path if path.startswith("/") else cwd + "/" + path
        work = full == cwd or full.startswith(cwd + "/")
        return work, work or full.startswith(roots)

    changes = frozenset(("os.remove", "os.rmdir", "os.mkdir", "os.truncate", "os.chmod", "os.chown", "os.utime",
                         "shutil.rmtree"))

    def guard(event, args, blocked=blocked, network=network, no_import=no_import, inside=inside, changes=changes,
              no_net_import=no_net_import,
              write_flags=write_flags, str_=str, type_=type, int_=int, err=PermissionError):
        if event in blocked:
            raise err("sandbox: %s is not allowed" % event)
        if event in network:
            raise err("network access is disabled in this sandbox")
        if event == "import":
            top = args[0].split(".")[0] if type_(args[0]) is str_ else ""
            if top in no_import:
                raise err("sandbox: importing %s is not allowed" % args[0])
            if top in no_net_import:
                raise err("network access is disabled in this sandbox")
        elif event == "open":
            path, mode, flags = args
            if path is None:
                return
            writable, readable = inside(path)
            wants_write = (type_(mode) is str_ and ("w" in mode or "a" in mode or "x" in mode or "+" in mode)) or (
                type_(flags) is int_ and flags & write_flags
            )
            if not (writable if wants_write else readable):
                raise err("sandbox: no access to %r" % (path,))
        elif event in changes:
            if not inside(args[0])[0]:
                raise err("sandbox: %s outside the working folder is not allowed" % event)
        elif event in ("object.__setattr__", "object.__delattr__"):
            if args[0] is guard or args[0] is inside:
                raise err("sandbox: the guard cannot be changed")

    sys.addaudithook(guard)

if _cfg.get("guard"):
    _install_guard()
else:
    import socket as _socket_mod, _socket

    class _NoNetwork:
        def __init__(self, *args, **kwargs):
            raise PermissionError("network access is disabled in this sandbox")

    def _no_network(*args, **kwargs):
        raise PermissionError("network access is disabled in this sandbox")

    _socket_mod.socket = _NoNetwork
    _socket.socket = _NoNetwork
    for _name in ("create_connection", "create_server", "socketpair", "fromfd", "getaddrinfo"):
        setattr(_socket_mod, _name, _no_network)
    del _name

with open("program.py", encoding="utf-8") as _f:
    _src = _f.read()
sys.argv = ["program.py"]
_globals = {"__name__": "__main__", "__file__": "program.py", "__builtins__": __builtins__}
del _cfg, _limit, _f, _install_guard, json, resource
exec(compile(_src, "program.py", "exec"), _globals)
`;
