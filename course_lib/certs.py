"""Certificates for TLS on the loopback: one throw-away CA per kernel, made with ``trustme``.

    certs = certificates()                        # made on first use, removed at exit
    await serve_tcp(handler, "db", ssl=certs.server_context())
    ssl_context = certs.client_context()          # a client that trusts that CA (h2, http/1.1)

HTTPS, HTTP/2 over TLS, a TLS database protocol and QUIC (``course_lib.quic``) all use them.
"""

from __future__ import annotations

import atexit
import shutil
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .servers import HOST

SERVER_NAME = "localhost"  # the name the certificate is issued for (with 127.0.0.1)


@dataclass(frozen=True)
class Certificates:
    """A throw-away CA and a server certificate for ``localhost`` and ``127.0.0.1``, on disk."""

    folder: Path
    certfile: Path  # the server's certificate chain (PEM)
    keyfile: Path  # its private key (PEM)
    ca_pem: bytes  # what a client trusts

    def client_context(self) -> ssl.SSLContext:
        """An ``ssl`` context that trusts this CA (for httpx / aiohttp over TLS TCP)."""
        context = ssl.create_default_context(cadata=self.ca_pem.decode())
        context.set_alpn_protocols(["h2", "http/1.1"])
        return context

    def server_context(self) -> ssl.SSLContext:
        """An ``ssl`` context serving this certificate (``serve(ssl_context=)``, ``serve_tcp``)."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certfile, self.keyfile)
        return context


_certificates: Certificates | None = None


def certificates() -> Certificates:
    """The kernel's certificates, made on first use (with ``trustme``) and removed at exit."""
    global _certificates
    if _certificates is None:
        import trustme

        ca = trustme.CA()
        cert = ca.issue_cert(SERVER_NAME, HOST)
        folder = Path(tempfile.mkdtemp(prefix="course-certs-"))
        atexit.register(shutil.rmtree, folder, True)
        certfile, keyfile = folder / "server.pem", folder / "server.key"
        certfile.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
        keyfile.write_bytes(cert.private_key_pem.bytes())
        # The CA's PEM is kept in memory: aioquic reads a CA *file* later, at connect time.
        _certificates = Certificates(folder, certfile, keyfile, ca.cert_pem.bytes())
    return _certificates


__all__ = ["SERVER_NAME", "Certificates", "certificates"]
