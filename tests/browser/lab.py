"""Start a throwaway JupyterLab and headless Chromium for the browser tests; stop them by pid.

Both start in a session of their own and die with the test worker (``course_lib.processes``);
stopping one stops its process group, the kernels or renderers it started.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from course_lib.processes import end, spawn
from course_lib.servers import free_port

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


class Lab:
    """A JupyterLab server on 127.0.0.1 serving a copy of the notebooks."""

    def __init__(self, notebooks: Path, workdir: Path):
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.root = workdir / "notebooks"
        shutil.copytree(notebooks, self.root)
        settings = workdir / "settings"
        for plugin, values in SETTINGS.items():
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        self.log = (workdir / "lab.log").open("w")
        bindir = Path(sys.executable).parent
        argv = [
            str(bindir / "jupyter"), "lab", "--no-browser", "--allow-root",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}", f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={workdir / 'workspaces'}",
        ]  # fmt: skip
        env = {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}"}
        self.proc = spawn(
            argv, stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        self._wait_up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def api(self, path: str, method: str = "GET"):
        req = urllib.request.Request(
            f"{self.url}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def _wait_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}")
            try:
                self.api("status")
                return
            except OSError:
                time.sleep(0.25)
        raise TimeoutError("jupyter lab did not answer /api/status")

    def kernel_state(self, notebook: str) -> str | None:
        for session in self.api("sessions"):
            if session["path"].endswith(notebook):
                return session["kernel"]["execution_state"]
        return None

    def close_sessions(self) -> None:
        for session in self.api("sessions"):
            self.api(f"sessions/{session['id']}", method="DELETE")

    def stop(self) -> None:
        """Stop the kernels (through the API), then the server and its process group, by pid."""
        try:
            self.close_sessions()
        except OSError:
            pass
        end(self.proc, timeout=10, group=True)  # the kernels are in its process group
        self.log.close()


class Chromium:
    """Headless Chromium with a DevTools port, started and stopped by pid."""

    def __init__(self, profile: Path, timeout: float = 30):
        argv = [CHROMIUM, *CHROMIUM_ARGS, "--remote-debugging-port=0",
                f"--user-data-dir={profile}", "about:blank"]  # fmt: skip
        self.proc = spawn(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        self.ws_url = None
        while time.monotonic() < deadline and self.ws_url is None:
            line = self.proc.stderr.readline().decode(errors="replace")
            if not line and self.proc.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.proc.returncode}")
            if "DevTools listening on " in line:
                self.ws_url = line.split("DevTools listening on ", 1)[1].strip()
        if self.ws_url is None:
            self.stop()
            raise TimeoutError("chromium did not open its DevTools port")
        # keep draining stderr so Chromium never blocks on a full pipe
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()

    def stop(self) -> None:
        end(self.proc, timeout=10, group=True)  # its renderers and helpers too
