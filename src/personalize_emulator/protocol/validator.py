"""Check decoded request parameters against a botocore input shape, the way AWS does.

botocore checks only required members and types on the client; AWS's front end also checks
min/max, patterns and enums, and reports *every* violation in one ``InvalidInputException``::

    2 validation errors detected: Value 'x!' at 'name' failed to satisfy constraint: Member must
    satisfy regular expression pattern: ^[a-zA-Z0-9][a-zA-Z0-9\\-_]*; Value null at 'schemaArn'
    failed to satisfy constraint: Member must not be null

Paths name nested members with dots (``solutionConfig.algorithmHyperParameters``) and list
elements as ``<list>.<1-based index>.member``. Patterns must match the *whole* value, as AWS's
front end does: ``^[a-zA-Z0-9][a-zA-Z0-9\\-_]*`` rejects ``x!`` although the pattern has no ``$``. Members the shape does not declare are dropped,
as AWS ignores them; timestamps become aware UTC ``datetime`` values; blobs become bytes.

One documented exemption, :data:`LOCAL_LOCATIONS`: an import job's ``dataSource.dataLocation``
may also be a ``file://`` URI or an absolute local path (the emulator's extension for reading
local files, ``data/sources.py``); botocore's ``(s3|http|https)://`` pattern would otherwise
stop it at the door. Only that member, only those two forms; its length limit still applies.
"""

from __future__ import annotations

import base64
import binascii
import functools
import math
import re
from datetime import datetime, timezone
from typing import Any

from botocore.model import Shape

from .errors import InvalidInputException

try:  # patterns in the models use \p{L}, \p{N}, \p{ASCII}; the `regex` module knows them
    import regex as _regex
except ImportError:  # pragma: no cover - regex ships with moto[server] (via cfn-lint)
    _regex = None

_MISSING = object()
#: (structure shape, member) whose string may also be a local location (see module docstring).
LOCAL_LOCATIONS = frozenset({("DataSource", "dataLocation")})
_LOCAL_LOCATION = re.compile(r"(file://|/).+", re.DOTALL)
_P_CLASSES = {"ASCII": r"\x00-\x7F", "L": r"^\W\d_", "N": r"\d", "Z": r"\s"}


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> Any:
    if _regex is not None:
        return _regex.compile(pattern)

    # Fallback for Python's `re`: approximate the Unicode property classes we meet.
    def sub(m: re.Match[str]) -> str:
        body = _P_CLASSES.get(m.group(1), r"\w")
        return f"[{body}]" if not body.startswith("^") else r"[^\W\d_]"

    return re.compile(re.sub(r"\\p\{(\w+)\}", sub, pattern))


MAX_ECHO = 1024  # characters of a bad value repeated in a message; the rest is elided


def render(value: Any) -> str:
    """A value as AWS prints it inside a validation message (long values cut short)."""
    if value is None:
        return "null"
    text = _plain(value)
    if len(text) > MAX_ECHO:
        text = f"{text[:MAX_ECHO]}... ({len(text)} characters)"
    return f"'{text}'"


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_plain(v)}" for k, v in value.items()) + "}"
    return str(value)


class _Walker:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self._sensitive = 0  # inside a member the model marks sensitive (tag values, ...)

    def fail(self, value: Any, path: str, constraint: str) -> None:
        shown = "'***'" if self._sensitive and value is not None else render(value)
        self.errors.append(f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}")

    def walk(self, shape: Shape, value: Any, path: str) -> Any:
        kind = shape.type_name
        method = getattr(self, f"_{kind}", None)
        if method is None:  # a shape type these models do not use (document, ...)
            return value
        sensitive = bool(shape.metadata.get("sensitive"))
        self._sensitive += sensitive
        try:
            return method(shape, value, path)
        finally:
            self._sensitive -= sensitive

    def _structure(self, shape: Shape, value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            self.fail(value, path, "Member must be of type structure")
            return value
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            child = value.get(name, _MISSING)
            child_path = f"{path}.{name}" if path else name
            if child is _MISSING or child is None:
                if name in shape.required_members:
                    self.fail(None, child_path, "Member must not be null")
                continue
            if (shape.name, name) in LOCAL_LOCATIONS and _is_local(child):
                self._length(member, child, child_path)
                out[name] = child
                continue
            out[name] = self.walk(member, child, child_path)
        return out

    def _list(self, shape: Shape, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            self.fail(value, path, "Member must be of type list")
            return value
        self._length(shape, value, path)
        return [
            self.walk(shape.member, item, f"{path}.{i}.member") if item is not None else None
            for i, item in enumerate(value, start=1)
        ]

    def _map(self, shape: Shape, value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            self.fail(value, path, "Member must be of type map")
            return value
        self._length(shape, value, path)
        out = {}
        for key, item in value.items():
            self.walk(shape.key, key, path)
            out[key] = self.walk(shape.value, item, f"{path}.{key}") if item is not None else None
        return out

    def _string(self, shape: Shape, value: Any, path: str) -> Any:
        if not isinstance(value, str):
            self.fail(value, path, "Member must be of type string")
            return value
        self._length(shape, value, path)
        pattern = shape.metadata.get("pattern")
        if pattern is not None and not compile_pattern(pattern).fullmatch(value):
            self.fail(value, path, f"Member must satisfy regular expression pattern: {pattern}")
        enum = shape.enum
        if enum and value not in enum:
            self.fail(value, path, f"Member must satisfy enum value set: [{', '.join(enum)}]")
        return value

    def _integer(self, shape: Shape, value: Any, path: str) -> Any:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(value, path, f"Member must be of type {shape.type_name}")
            return value
        self._range(shape, value, path)
        return value

    _long = _integer

    def _float(self, shape: Shape, value: Any, path: str) -> Any:
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            self.fail(value, path, f"Member must be of type {shape.type_name}")
            return value
        self._range(shape, value, path)
        return float(value)

    _double = _float

    def _boolean(self, shape: Shape, value: Any, path: str) -> Any:
        if not isinstance(value, bool):
            self.fail(value, path, "Member must be of type boolean")
        return value

    def _timestamp(self, shape: Shape, value: Any, path: str) -> Any:
        parsed = parse_timestamp(value)
        if parsed is None:
            self.fail(value, path, "Member must be a timestamp (epoch seconds or ISO 8601)")
            return value
        return parsed

    def _blob(self, shape: Shape, value: Any, path: str) -> Any:
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, TypeError, ValueError):
            self.fail(value, path, "Member must be base64-encoded binary data")
            return value

    def _length(self, shape: Shape, value: Any, path: str) -> None:
        lo, hi = shape.metadata.get("min"), shape.metadata.get("max")
        if lo is not None and len(value) < lo:
            self.fail(value, path, f"Member must have length greater than or equal to {lo}")
        if hi is not None and len(value) > hi:
            self.fail(value, path, f"Member must have length less than or equal to {hi}")

    def _range(self, shape: Shape, value: Any, path: str) -> None:
        lo, hi = shape.metadata.get("min"), shape.metadata.get("max")
        if lo is not None and value < lo:
            self.fail(value, path, f"Member must have value greater than or equal to {lo}")
        if hi is not None and value > hi:
            self.fail(value, path, f"Member must have value less than or equal to {hi}")


def _is_local(value: Any) -> bool:
    return isinstance(value, str) and _LOCAL_LOCATION.fullmatch(value) is not None


def parse_timestamp(value: Any) -> datetime | None:
    """Epoch seconds (number or numeric string) or ISO 8601 -> aware UTC datetime."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, (int, float)):
            return datetime.fromtimestamp(value, tz=timezone.utc)
        if isinstance(value, str):
            try:
                return datetime.fromtimestamp(float(value), tz=timezone.utc)
            except ValueError:
                parsed = datetime.fromisoformat(value.strip())
                if parsed.tzinfo is None:
                    parsed = parsed.replace(tzinfo=timezone.utc)
                return parsed.astimezone(timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def validate(shape: Shape | None, params: dict[str, Any]) -> dict[str, Any]:
    """Validated, converted parameters; raises one ``InvalidInputException`` listing all faults."""
    if shape is None:
        return {}
    walker = _Walker()
    out = walker.walk(shape, params, "")
    if walker.errors:
        n = len(walker.errors)
        noun = "validation error" if n == 1 else "validation errors"
        raise InvalidInputException(f"{n} {noun} detected: " + "; ".join(walker.errors))
    return out
