"""The server on a background thread, for tests and notebooks (``port=0`` picks a free port)."""

from __future__ import annotations

import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import create_app


def _request_handler() -> type[WSGIRequestHandler]:
    try:  # newer moto ships a handler that copes with its own quirks (e.g. chunked bodies)
        from moto.moto_server.werkzeug_app import MotoRequestHandler

        return MotoRequestHandler
    except ImportError:
        return WSGIRequestHandler


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: object, **kwargs: object) -> None:
        pass


class ThreadedServer:
    """``start()``, ``endpoint_url``, ``stop()``; also a context manager."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        job_mode: str | None = None,
        quiet: bool = True,
    ):
        self.host = host
        self.port = port
        self.job_mode = job_mode
        self.quiet = quiet
        self._server: BaseWSGIServer | None = None
        self._app: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> ThreadedServer:
        handler = _request_handler()
        if self.quiet and handler is WSGIRequestHandler:
            handler = _QuietHandler
        app = self._app = create_app(self.job_mode)
        self._server = make_server(
            self.host, self.port, app, threaded=True, request_handler=handler
        )
        self.port = self._server.port
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="personalize-emulator", daemon=True
        )
        self._thread.start()
        return self

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the server is not running; call start() first")
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        if hasattr(self._app, "close"):  # persistence (a data directory): the final save
            self._app.close()
        self._server = self._thread = self._app = None

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
