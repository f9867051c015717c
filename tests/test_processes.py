"""The one process lifecycle: a spawned child dies with its parent, and ``end`` stops it."""

import subprocess
import sys
import time

import psutil

from course_lib.processes import end, spawn


def test_end_stops_a_child_that_ignores_sigterm():
    stubborn = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
    proc = spawn([sys.executable, "-c", stubborn], stdout=subprocess.PIPE)
    time.sleep(0.3)  # let it install its handler
    end(proc, timeout=0.5)
    assert proc.returncode == -9 and proc.stdout.closed
    end(proc)  # a second call is harmless


def test_a_child_dies_with_its_parent():
    parent_code = (
        "import sys, time; from course_lib.processes import spawn; "
        "child = spawn([sys.executable, '-c', 'import time; time.sleep(60)']); "
        "print(child.pid, flush=True); time.sleep(60)"
    )
    argv = [sys.executable, "-c", parent_code]
    parent = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    child_pid = int(parent.stdout.readline())
    parent.kill()
    parent.wait(5)
    parent.stdout.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and psutil.pid_exists(child_pid):
        if psutil.Process(child_pid).status() == psutil.STATUS_ZOMBIE:
            break
        time.sleep(0.05)
    alive = psutil.pid_exists(child_pid) and psutil.Process(child_pid).status() != "zombie"
    assert not alive, f"child {child_pid} outlived its parent"
