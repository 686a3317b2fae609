"""A small OPA-compatible HTTP server on loopback (tests, bench, demos).

It speaks the part of OPA's REST API that shopwarden uses: `PUT /v1/policies/{id}`,
`PUT|GET|POST /v1/data/{path}` and `GET /health`, so the OPA server engine runs over real HTTP
where no `opa` binary can be installed. It evaluates with regopy by default, or with OPA's own
evaluator (`evaluator="opa"`, test-only: see policy/testing/opa_reference.py), which makes the
server path a check against OPA itself.

    with OpaStandin(evaluator="opa") as server:
        engine = OpaServerEngine(server.url, bundle)
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

import regopy

from shopwarden.errors import PolicyLoadError
from shopwarden.policy.bundle import add_module
from shopwarden.policy.rego_terms import evaluate_entrypoint


class OpaStandin:
    """Holds policies and data like OPA does; started in a daemon thread on a free loopback port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *,
                 evaluator: Literal["regopy", "opa"] = "regopy") -> None:
        self._evaluator = evaluator
        self._opa: Any = None
        self._policies: dict[str, str] = {}
        self._data: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._interpreter: regopy.Interpreter | None = None
        self._compiled: dict[str, Any] = {}
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        if isinstance(host, bytes):  # typeshed allows bytes for AF_UNIX-style addresses; ours is AF_INET
            host = host.decode("ascii")
        return f"http://{host}:{port}"

    def start(self) -> OpaStandin:
        self._thread = threading.Thread(target=self._server.serve_forever, name="opa-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> OpaStandin:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- what the HTTP handler calls -------------------------------------------------------

    def put_policy(self, policy_id: str, text: str) -> None:
        """Compile-check the module first, like OPA refusing a broken upload."""
        if self._evaluator == "opa":
            from shopwarden.policy.testing.opa_reference import opa_engine

            with self._lock:
                opa_engine({**self._policies, policy_id: text}, self._data).close()
        else:
            add_module(regopy.Interpreter(), policy_id, text)
        with self._lock:
            self._policies[policy_id] = text
            self._forget_compiled()

    def put_data(self, path: list[str], value: Any) -> None:
        with self._lock:
            if not path:
                self._data = value if isinstance(value, dict) else {}
            else:
                node = self._data
                for key in path[:-1]:
                    node = node.setdefault(key, {})
                node[path[-1]] = value
            self._forget_compiled()

    def evaluate(self, path: list[str], input_document: Any) -> tuple[bool, Any]:
        """(defined, value) of data.<path> for this input, read term by term (never from rego-cpp's text)."""
        if self._evaluator == "opa":
            return self._evaluate_on_opa(path, input_document)
        entrypoint = "/".join(path)
        with self._lock:
            interpreter = self._current_interpreter()
            if entrypoint not in self._compiled:
                self._compiled[entrypoint] = interpreter.build(None, [entrypoint])
            interpreter.set_input(regopy.Input(input_document if input_document is not None else {}))
            try:
                value = evaluate_entrypoint(interpreter, self._compiled[entrypoint], entrypoint)
            except ValueError as exc:
                raise RuntimeError(str(exc)[:300]) from None
        return value is not None, value

    def _evaluate_on_opa(self, path: list[str], input_document: Any) -> tuple[bool, Any]:
        from shopwarden.policy.testing.opa_reference import evaluate, opa_engine

        with self._lock:
            if self._opa is None:
                self._opa = opa_engine(self._policies, self._data)
            try:
                return evaluate(self._opa, ".".join(path), input_document)
            except Exception as exc:  # OpaError: a 500 with OPA's message, as the real server answers
                raise RuntimeError(str(exc)[:300]) from None

    def _forget_compiled(self) -> None:
        self._interpreter = None
        if self._opa is not None:
            self._opa.close()
            self._opa = None

    def _current_interpreter(self) -> regopy.Interpreter:
        if self._interpreter is None:
            interpreter = regopy.Interpreter()
            for policy_id, text in self._policies.items():
                add_module(interpreter, policy_id, text)
            interpreter.add_data_json(json.dumps(self._data))
            self._interpreter = interpreter
            self._compiled = {}
        return self._interpreter


def _handler_for(standin: OpaStandin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes; without NODELAY each answer waits ~40 ms for an ACK.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests and bench read stdout
            return

        def do_GET(self) -> None:
            if self.path.startswith("/health"):
                self._reply(200, {})
            elif self.path.startswith("/v1/data"):
                self._query(None)
            else:
                self._reply(404, {"code": "resource_not_found", "message": self.path})

        def do_POST(self) -> None:
            try:
                body = json.loads(self._body() or b"{}")
            except json.JSONDecodeError as exc:
                self._reply(400, {"code": "invalid_parameter", "message": f"body is not JSON: {exc.msg}"})
                return
            self._query(body.get("input") if isinstance(body, dict) else None)

        def do_PUT(self) -> None:
            body = self._body()
            if self.path.startswith("/v1/policies/"):
                policy_id = self.path.removeprefix("/v1/policies/")
                try:
                    standin.put_policy(policy_id, body.decode("utf-8"))
                except PolicyLoadError as exc:
                    error = {"code": "invalid_parameter", "message": str(exc), "errors": [{"message": str(exc)}]}
                    self._reply(400, error)
                    return
                self._reply(200, {})
            elif self.path.startswith("/v1/data"):
                try:
                    value = json.loads(body or b"null")
                except json.JSONDecodeError as exc:
                    self._reply(400, {"code": "invalid_parameter", "message": f"body is not JSON: {exc.msg}"})
                    return
                standin.put_data(_data_path(self.path), value)
                self._reply(204, None)
            else:
                self._reply(404, {"code": "resource_not_found", "message": self.path})

        def _query(self, input_document: Any) -> None:
            try:
                defined, value = standin.evaluate(_data_path(self.path), input_document)
            except (PolicyLoadError, RuntimeError, regopy.RegoError) as exc:
                self._reply(500, {"code": "internal_error", "message": str(exc)})
                return
            self._reply(200, {"result": value} if defined else {})

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _reply(self, status: int, payload: Any) -> None:
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            if payload is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _data_path(url_path: str) -> list[str]:
    path = url_path.split("?", 1)[0].removeprefix("/v1/data")
    return [segment for segment in path.split("/") if segment]
