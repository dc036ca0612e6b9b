"""Request body -> validated parameters for one routed operation.

All three Personalize APIs carry every input member in the JSON body (no header, URI or query
bindings), so parsing is: check the Content-Type for JSON 1.1, decode the JSON object, and hand
it to the validator.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import ServiceError
from .router import Route
from .validator import validate

JSON_11_TYPES = ("application/x-amz-json-1.1", "application/x-amz-json-1.0")


class SerializationException(ServiceError):
    code = "SerializationException"
    status = 400


def decode_body(body: bytes) -> dict[str, Any]:
    """The JSON object in ``body`` (empty body = ``{}``)."""
    if not body or not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise SerializationException(f"Request body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise SerializationException(
            f"Request body must be a JSON object, not {type(data).__name__}."
        )
    return data


def check_content_type(route: Route, headers: dict[str, str]) -> None:
    if route.spec.protocol != "json":
        return
    given = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if given not in JSON_11_TYPES:
        raise SerializationException(
            f"Content-Type '{given or '(none)'}' is not supported for {route.service} "
            f"{route.operation}; send application/x-amz-json-1.1."
        )


def parse(route: Route, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """Validated parameters, keyed by wire member names."""
    check_content_type(route, headers)
    return validate(route.operation_model.input_shape, decode_body(body))
