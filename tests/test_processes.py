"""The one process lifecycle: a spawned child dies with its parent, and ``end`` stops it."""

import os
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


def test_end_with_group_stops_the_children_of_a_session_too():
    parent_code = (
        "import subprocess, sys, time; "
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
        "print(child.pid, flush=True); time.sleep(60)"
    )
    argv = [sys.executable, "-c", parent_code]
    parent = spawn(argv, stdout=subprocess.PIPE, text=True, start_new_session=True)
    child = psutil.Process(int(parent.stdout.readline()))
    end(parent, timeout=2, group=True)
    assert parent.returncode == -15 and parent.stdout.closed
    deadline = time.monotonic() + 5  # SIGTERM reached the grandchild as well
    while time.monotonic() < deadline and not gone(child):
        time.sleep(0.05)
    assert gone(child), f"child {child.pid} outlived its process group's end"


def gone(proc: psutil.Process) -> bool:
    try:
        return proc.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_a_child_is_out_of_reach_of_the_signals_jupyter_sends_the_kernels_group():
    """■ in Jupyter sends SIGINT to the kernel's process group: a course child is not in it."""
    child = spawn([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert os.getpgid(child.pid) != os.getpgrp()
        assert os.getsid(child.pid) == child.pid  # a session of its own
    finally:
        end(child)
