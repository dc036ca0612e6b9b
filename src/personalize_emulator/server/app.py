"""Front door 2: one WSGI app for all three Personalize APIs, S3, IAM, STS and ``/moto-api``.

A request goes to our dispatcher when its SigV4 credential scope names ``personalize`` (from
the ``Authorization`` header or a presigned query), or, unsigned, when it carries an
``AmazonPersonalize.``/``AWSConcierge`` target, a target no AWS service could own (no dot), no
target at all on a JSON 1.x call to ``/``, or POSTs JSON to a runtime/events path (those last
cases get an AWS-shaped error rather than moto's S3 answer or HTML page). Anything
else goes to moto's own ``DomainDispatcherApplication`` in the same process, so S3 objects an
import job reads are the ones the client uploaded. The Host header is never trusted for
routing: a client reaches us at ``localhost``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wrappers import Request, Response

from .. import __version__, clock, config
from ..mock import default_job_mode, live_stores, register, serve
from ..protocol.router import signing_scope
from ..protocol.specs import all_specs
from ..resources import schedule
from .persistence import PersistentApp, persistent

HEALTH_PATH = "/_emulator/health"
CLOCK_PATH = "/_emulator/clock"
_CLOCK_UNITS = ("days", "hours", "minutes", "seconds")
_TARGET_PREFIXES = ("AmazonPersonalize.", "AWSConcierge")
_JSON_1X = "application/x-amz-json-1."


def _rest_paths() -> frozenset[str]:
    paths = set()
    for spec in all_specs():
        if spec.protocol == "rest-json":
            for op in spec.model.operation_names:
                paths.add(spec.model.operation_model(op).http["requestUri"].split("?")[0])
    return frozenset(paths)


class Front:
    """The WSGI callable: Personalize to us, everything else to moto."""

    def __init__(self, tick_seconds: float = schedule.TICK_SECONDS) -> None:
        from moto.server import DomainDispatcherApplication, create_backend_app

        register()
        self.moto_app = DomainDispatcherApplication(create_backend_app)
        self.rest_paths = _rest_paths()
        # Scheduled work (automatic training...) fires as real time passes, not only on
        # POST /_emulator/clock/advance. A daemon thread: it never keeps the process alive.
        self.ticker = schedule.Ticker(live_stores, tick_seconds).start()

    def close(self) -> None:
        """Stop firing scheduled work (``ThreadedServer.stop()`` and ``serve`` call this)."""
        self.ticker.close()

    def is_personalize(self, req: Request) -> bool:
        headers = {k.lower(): v for k, v in req.headers.items()}
        scope = signing_scope(headers, req.query_string.decode("latin-1"))
        if scope is not None:
            return scope[1] == "personalize"
        target = headers.get("x-amz-target", "")
        if target.startswith(_TARGET_PREFIXES):
            return True
        if target and "." not in target:
            # No AWS service's target looks like this; moto would answer with an HTML 500.
            return True
        if not target and req.path == "/" and req.mimetype.startswith(_JSON_1X):
            # A JSON 1.x call that forgot its target is ours to refuse (moto would list buckets).
            return True
        return (
            req.method == "POST"
            and req.path in self.rest_paths
            and not req.mimetype.startswith("multipart/")
        )

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        req = Request(environ)
        if req.path == HEALTH_PATH:
            return self.health(req)(environ, start_response)
        if req.path in (CLOCK_PATH, CLOCK_PATH + "/advance"):
            return self.clock_endpoint(req)(environ, start_response)
        if self.is_personalize(req):
            status, headers, body = serve(
                req.method, req.full_path.rstrip("?"), dict(req.headers), req.get_data()
            )
            return Response(body, status=status, headers=headers)(environ, start_response)
        return self.moto_app(environ, start_response)

    def health(self, req: Request) -> Response:
        if req.method not in ("GET", "HEAD"):  # HEAD: load balancers' and Docker's probes
            return Response(status=405, headers={"Allow": "GET, HEAD"})
        body = {
            "status": "ok",
            "version": __version__,
            "services": sorted({f"{s.service} ({s.dialect})" for s in all_specs()}),
            "job_mode": config.current().job_mode,
        }
        return Response(json.dumps(body), status=200, mimetype="application/json")


    def clock_endpoint(self, req: Request) -> Response:
        """``GET /_emulator/clock``: the emulated time; ``POST /_emulator/clock/advance`` with
        ``{"seconds": N}`` (or ``minutes`` / ``hours`` / ``days``): move it forward and run
        what became due (in async job mode the trainings start in the background)."""
        started: list[str] = []
        if req.path.endswith("/advance"):
            if req.method != "POST":
                return Response(status=405, headers={"Allow": "POST"})
            try:
                body = json.loads(req.get_data() or b"{}")
                if not isinstance(body, dict) or set(body) - set(_CLOCK_UNITS):
                    raise ValueError(f"send a JSON object of {', '.join(_CLOCK_UNITS)}")
                amounts = {u: float(body.get(u, 0)) for u in _CLOCK_UNITS}
                started = clock.advance(**amounts)
            except (ValueError, TypeError) as exc:
                return Response(json.dumps({"message": f"bad clock advance: {exc}"}),
                                status=400, mimetype="application/json")  # fmt: skip
        elif req.method not in ("GET", "HEAD"):
            return Response(status=405, headers={"Allow": "GET, HEAD"})
        body = {
            "now": clock.now().isoformat(),
            "offsetSeconds": clock.offset().total_seconds(),
            "started": started,
        }
        return Response(json.dumps(body), status=200, mimetype="application/json")


def create_app(job_mode: str | None = None) -> Front | PersistentApp:
    """The server's WSGI app. Jobs run in the background (``async``) unless told otherwise.

    With a data directory configured, the saved state is loaded first and kept saved
    (``persistence``); call the app's ``close()`` at shutdown for the final save.
    """
    if job_mode is not None:
        config.set(job_mode=job_mode)
    else:
        default_job_mode("async")
    front = Front()
    data_dir = config.current().data_dir
    return front if data_dir is None else persistent(front, data_dir)
