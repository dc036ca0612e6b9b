"""The one seam both front doors call: raw request in, raw response out.

``dispatch`` routes, resolves region and account, parses and validates, calls the application,
and serializes -- and it catches *everything*: a client mistake becomes the AWS error for it,
an emulator bug becomes an AWS-shaped ``InternalFailure`` (logged with its traceback), never an
HTML page or a raw exception in the caller's process.

The protocol room knows nothing of resources or moto: the application is anything with
``invoke(ctx, params)``, and the account is resolved by a callable the front door passes in
(the mock and the server use moto's order: env, header, access key, default).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from .context import RequestContext
from .errors import InternalFailure, ServiceError
from .parser import parse
from .router import Route, check_region, region_of, route, split_path
from .serializer import serialize_error, serialize_output
from .specs import ServiceSpec, ga_spec

log = logging.getLogger("personalize_emulator.dispatch")

Response = tuple[int, dict[str, str], bytes]


class App(Protocol):
    def invoke(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any] | None: ...


def default_account(headers: Mapping[str, str]) -> str:
    return "123456789012"


def _fallback_spec(headers: Mapping[str, str]) -> ServiceSpec:
    # Before routing succeeds we still owe the client an error in the right content type.
    json_1x = headers.get("content-type", "").startswith("application/x-amz-json-1.")
    control = headers.get("x-amz-target") or json_1x
    return ga_spec("personalize" if control else "personalize-runtime")


def dispatch(
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    app: App,
    account_for: Callable[[dict[str, str]], str] = default_account,
) -> Response:
    """Serve one Personalize request; ``path`` may carry a query string."""
    lower = {str(k).lower(): str(v) for k, v in headers.items()}
    request_id = str(uuid.uuid4())
    found: Route | None = None
    try:
        found = route(method, path, lower)
        _, query = split_path(path)
        region = region_of(lower, query)
        check_region(region)
        params = parse(found, lower, body or b"")
        ctx = RequestContext(
            service=found.service,
            operation=found.operation,
            account_id=account_for(lower),
            region=region,
            dialect=found.dialect,
            request_id=request_id,
            headers=lower,
        )
        output = app.invoke(ctx, params)
        return serialize_output(found.spec, found.operation, output, request_id)
    except ServiceError as err:
        spec = found.spec if found else _fallback_spec(lower)
        try:
            return serialize_error(spec, err, request_id)
        except Exception:  # pragma: no cover - a broken error must still answer
            log.exception("could not serialize %r", err)
            return serialize_error(None, InternalFailure(str(err)), request_id)
    except Exception as exc:
        where = f"{found.service} {found.operation}" if found else f"{method} {path}"
        log.exception("emulator failure serving %s", where)
        err = InternalFailure(
            f"The emulator failed while serving {where}: {type(exc).__name__}: {exc}"
        )
        return serialize_error(found.spec if found else _fallback_spec(lower), err, request_id)
