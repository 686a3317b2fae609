"""Binding a port before saying anything, and serving ASGI apps on sockets we already hold."""

from __future__ import annotations

import socket
from typing import Any

from shopwarden.errors import ConfigError


def bind(host: str, port: int, option: str = "--port") -> socket.socket:
    """A listening socket on host:port, or a ConfigError naming the option when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(option, f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def server_for(app: Any, log_level: str = "warning") -> Any:
    """A uvicorn server for `app` (run it with `await server.serve(sockets=[sock])`)."""
    import uvicorn

    return uvicorn.Server(uvicorn.Config(app, log_level=log_level, lifespan="off"))
