from types import SimpleNamespace

from course_lib import browser_url

server = SimpleNamespace(url="http://127.0.0.1:4321", port=4321)


def test_direct_url_outside_jupyter(monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    assert browser_url(server, "/page") == "http://127.0.0.1:4321/page"


def test_proxied_path_under_jupyterlab(monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", "03-push.ipynb")
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    assert browser_url(server, "page") == "/proxy/4321/page"


def test_binder_prefix_is_kept(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/someone-abc123")
    assert browser_url(server) == "/user/someone-abc123/proxy/4321/"
