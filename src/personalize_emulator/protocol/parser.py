"""Request body -> validated parameters for one routed operation.

All three Personalize APIs carry every input member in the JSON body (no header, URI or query
bindings), so parsing is: check the Content-Type for JSON 1.1, undo a ``Content-Encoding``
(``gzip``/``deflate``: some SDKs compress request bodies), decode the JSON object, and hand it
to the validator. A body that cannot be decoded -- bad JSON, nesting too deep for the decoder,
an unknown encoding -- is the client's mistake: a ``SerializationException`` (400).
"""

from __future__ import annotations

import json
import zlib
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
    except RecursionError:
        raise SerializationException(
            "Request body is not valid JSON: it is nested too deeply."
        ) from None
    if not isinstance(data, dict):
        raise SerializationException(
            f"Request body must be a JSON object, not {type(data).__name__}."
        )
    return data


def decode_content(headers: dict[str, str], body: bytes) -> bytes:
    """``body`` with its ``Content-Encoding`` (gzip, deflate, identity; comma-listed) undone."""
    encodings = [
        e.strip().lower() for e in headers.get("content-encoding", "").split(",") if e.strip()
    ]
    for encoding in reversed(encodings):  # the last one listed was applied last
        if encoding == "identity":
            continue
        if encoding not in ("gzip", "x-gzip", "deflate"):
            raise SerializationException(
                f"Content-Encoding '{encoding}' is not supported; send gzip, deflate or none."
            )
        try:
            if encoding == "deflate":
                body = _inflate(body)
            else:
                body = zlib.decompress(body, wbits=16 + zlib.MAX_WBITS)
        except zlib.error as exc:
            raise SerializationException(
                f"Request body is not valid {encoding} data: {exc}"
            ) from None
    return body


def _inflate(body: bytes) -> bytes:
    # HTTP "deflate" is zlib-wrapped, but some clients send a raw deflate stream.
    try:
        return zlib.decompress(body)
    except zlib.error:
        return zlib.decompress(body, wbits=-zlib.MAX_WBITS)


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
    body = decode_content(headers, body)
    return validate(route.operation_model.input_shape, decode_body(body))
