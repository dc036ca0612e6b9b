"""Handler output and service errors -> HTTP responses, driven by the output shape.

Output is walked through the operation's output shape: ``None`` members are dropped,
``datetime`` becomes epoch seconds (the JSON protocols' default timestamp format), lists, maps
and structures recurse. In strict mode (``PERSONALIZE_EMULATOR_STRICT_OUTPUT=1``, on in the test
suite) a member the shape does not declare, a value of the wrong type or a missing required
member is an emulator bug and raises ``InternalFailure`` naming it -- so every response the tests
see is checked against botocore's model.

Errors are ``{"__type": code, "message": msg}`` plus ``X-Amzn-ErrorType``; the status is the
error's own, else the ``httpStatusCode`` the model gives that error shape, else 400.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timezone
from typing import Any

from botocore.model import Shape

from .errors import InternalFailure, ServiceError
from .specs import ServiceSpec

STRICT_ENV = "PERSONALIZE_EMULATOR_STRICT_OUTPUT"
JSON_11 = "application/x-amz-json-1.1"


def strict_output() -> bool:
    return os.environ.get(STRICT_ENV, "").lower() in ("1", "true", "yes")


class _Serializer:
    def __init__(self, strict: bool, operation: str):
        self.strict = strict
        self.operation = operation

    def bad(self, path: str, problem: str) -> None:
        if self.strict:
            raise InternalFailure(
                f"Emulator output for {self.operation} does not match the service model: "
                f"'{path}' {problem}."
            )

    def walk(self, shape: Shape, value: Any, path: str) -> Any:
        kind = shape.type_name
        if kind == "structure":
            return self.structure(shape, value, path)
        if kind == "list":
            if not isinstance(value, (list, tuple)):
                self.bad(path, f"must be a list, got {type(value).__name__}")
                return value
            return [self.walk(shape.member, v, f"{path}[{i}]") for i, v in enumerate(value)]
        if kind == "map":
            if not isinstance(value, dict):
                self.bad(path, f"must be a map, got {type(value).__name__}")
                return value
            return {
                k: self.walk(shape.value, v, f"{path}.{k}")
                for k, v in value.items()
                if v is not None
            }
        if kind == "timestamp":
            if isinstance(value, datetime):
                if value.tzinfo is None:
                    value = value.replace(tzinfo=timezone.utc)
                return value.timestamp()
            if isinstance(value, date):
                return datetime(value.year, value.month, value.day, tzinfo=timezone.utc).timestamp()
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return value
            self.bad(path, f"must be a timestamp, got {type(value).__name__}")
            return value
        self.scalar(kind, value, path)
        return value

    def structure(self, shape: Shape, value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            self.bad(path or "<output>", f"must be a structure, got {type(value).__name__}")
            return value
        members = shape.members
        out: dict[str, Any] = {}
        for name, item in value.items():
            child = f"{path}.{name}" if path else name
            if name not in members:
                self.bad(child, f"is not a member of {shape.name}")
                continue
            if item is None:
                continue
            out[name] = self.walk(members[name], item, child)
        for name in shape.required_members:
            if name not in out:
                self.bad(f"{path}.{name}" if path else name, f"is required by {shape.name}")
        return out

    def scalar(self, kind: str, value: Any, path: str) -> None:
        ok = {
            "string": lambda v: isinstance(v, str),
            "boolean": lambda v: isinstance(v, bool),
            "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "long": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
            "double": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        }.get(kind)
        if ok is not None and not ok(value):
            self.bad(path, f"must be {kind}, got {type(value).__name__} {value!r}")


def to_wire(shape: Shape | None, output: dict[str, Any] | None, operation: str = "") -> dict:
    """The JSON-ready dict for ``output`` (``{}`` for an operation without output)."""
    strict = strict_output()
    if shape is None:
        if output and strict:
            raise InternalFailure(
                f"{operation} has no output, but the emulator returned {output!r}."
            )
        return {}
    return _Serializer(strict, operation).structure(shape, output or {}, "")


def response_headers(content_type: str, request_id: str, length: int) -> dict[str, str]:
    return {
        "Content-Type": content_type,
        "x-amzn-RequestId": request_id,
        "Content-Length": str(length),
    }


def serialize_output(
    spec: ServiceSpec, operation: str, output: dict[str, Any] | None, request_id: str
) -> tuple[int, dict[str, str], bytes]:
    op = spec.model.operation_model(operation)
    body = json.dumps(to_wire(op.output_shape, output, operation)).encode()
    return 200, response_headers(spec.content_type, request_id, len(body)), body


def error_status(spec: ServiceSpec | None, err: ServiceError) -> int:
    if err.status is not None:
        return err.status
    if spec is not None:
        for shape in spec.model.error_shapes:
            if shape.name == err.code:
                return int(shape.metadata.get("error", {}).get("httpStatusCode", 400))
    return 400


def serialize_error(
    spec: ServiceSpec | None, err: ServiceError, request_id: str
) -> tuple[int, dict[str, str], bytes]:
    body = json.dumps({"__type": err.code, "message": err.message}).encode()
    headers = response_headers(spec.content_type if spec else JSON_11, request_id, len(body))
    headers["X-Amzn-ErrorType"] = err.code
    return error_status(spec, err), headers, body
