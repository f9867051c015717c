"""Reach an in-kernel server from the learner's own browser.

In JupyterLab the browser talks to the Jupyter server, not to the kernel's machine directly
(on Binder the kernel runs in a remote container). ``jupyter-server-proxy`` forwards
``<base url>proxy/<port>/...`` to ``127.0.0.1:<port>``, so ``browser_url(server)`` gives that
path when the kernel runs under Jupyter, and the direct URL otherwise. First used in chapter 03.
"""

from __future__ import annotations

import os


def under_jupyter() -> bool:
    """True when a Jupyter server started this kernel (it sets ``JPY_SESSION_NAME``)."""
    return "JPY_SESSION_NAME" in os.environ or "JUPYTERHUB_SERVICE_PREFIX" in os.environ


def browser_url(server, path: str = "/") -> str:
    """The URL at which the learner's browser reaches ``server`` (anything with ``port``/``url``).

    Under Jupyter: ``<base url>proxy/<port><path>`` (JupyterHub/Binder's prefix included), a
    path on the page's own origin. Elsewhere: ``server.url + path``.
    """
    if not path.startswith("/"):
        path = "/" + path
    if not under_jupyter():
        return server.url + path
    base = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
    if not base.endswith("/"):
        base += "/"
    return f"{base}proxy/{server.port}{path}"
