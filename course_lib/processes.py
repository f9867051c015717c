"""Child processes that never outlive their parent: started with ``spawn``, ended with ``end``.

The one process lifecycle of the project: ``start_process`` (servers.py), the engines and the
bench all start children this way. On Linux a child is told to die with its parent
(``PR_SET_PDEATHSIG``), so a kernel that is killed leaves nothing behind, and it runs in a
session of its own, out of reach of the signals Jupyter sends the kernel's group; ``end`` asks
politely (SIGTERM), then insists (SIGKILL), and closes the pipes.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import signal
import subprocess
import sys
from collections.abc import Sequence


def die_with_parent() -> None:
    """Runs in the child, before exec: the kernel sends it SIGKILL when the parent dies."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def spawn(args: Sequence[str], **popen_kwargs) -> subprocess.Popen:
    """``subprocess.Popen(args)`` for a child that dies with this process.

    The child gets a session (and process group) of its own. Jupyter interrupts a kernel (■) by
    sending SIGINT to the kernel's whole process group, and a shutting-down kernel terminates
    the children in its group and waits for them to be gone; a server or engine of the course
    must survive the first and be stopped by the kernel's own exit handlers (which also remove
    its data folder), not by the second.
    """
    if sys.platform.startswith("linux"):
        popen_kwargs.setdefault("preexec_fn", die_with_parent)
    if os.name == "posix":
        popen_kwargs.setdefault("start_new_session", True)
    popen_kwargs.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.Popen(list(args), **popen_kwargs)


def end(proc: subprocess.Popen, timeout: float = 5.0, *, group: bool = False) -> None:
    """Stop ``proc``: SIGTERM, then SIGKILL after ``timeout`` s; close its pipes. Safe twice.

    With ``group=True`` the signals go to its whole process group: a child started with
    ``start_new_session=True``, and every process it started that did not leave the group.
    """
    if proc.poll() is None:
        stop, kill = proc.terminate, proc.kill
        if group:
            stop = functools.partial(os.killpg, proc.pid, signal.SIGTERM)
            kill = functools.partial(os.killpg, proc.pid, signal.SIGKILL)
        stop()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            kill()
            proc.wait(timeout)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.close()
