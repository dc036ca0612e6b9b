"""Records sent one at a time (PutEvents, PutItems, PutUsers, PutActions) -> schema rows.

The events API names schema fields in camelCase inside ``properties`` (GENRES -> ``genres``,
CREATION_TIMESTAMP -> ``creationTimestamp``, NUMBER_OF_RATINGS -> ``numberOfRatings``), with
string values and ``|`` between categories. ``record_from_properties`` maps such a
``properties`` object to a ``{FIELD_NAME: text}`` dict that ``csv_import.convert_records``
then checks and types exactly as a CSV row would be. Numbers and booleans sent as JSON
values instead of strings are accepted and written as their CSV text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from .csv_import import ImportValidationError
from .schemas import ParsedSchema

#: PutEvents refuses these property keys (case-insensitive): they are top-level members.
EVENT_FORBIDDEN_PROPERTIES = (
    "userId",
    "sessionId",
    "eventType",
    "timestamp",
    "recommendationId",
    "impression",
)


def property_key(field_name: str) -> str:
    """USER_ID -> userId, NUMBER_OF_RATINGS -> numberOfRatings, GENRES_FIELD_1 -> genresField1."""
    words = [w for w in field_name.split("_") if w]
    if not words:
        return field_name
    return words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])


def record_from_properties(
    properties: Mapping[str, Any] | str | None,
    parsed: ParsedSchema,
    *,
    fixed: Mapping[str, str | None] | None = None,
    forbidden: Iterable[str] = (),
    label: str = "properties",
) -> dict[str, str | None]:
    """``{FIELD: text}`` for one record: ``fixed`` fields (from top-level members) plus the
    camelCase ``properties`` (a dict, or the JSON string the wire carries)."""
    if isinstance(properties, str):
        try:
            properties = json.loads(properties) if properties.strip() else {}
        except ValueError:
            raise ImportValidationError(f"{label} is not a valid JSON object.") from None
    if properties is None:
        properties = {}
    if not isinstance(properties, Mapping):
        raise ImportValidationError(f"{label} must be a JSON object.")
    banned = {k.lower() for k in forbidden}
    by_key = {property_key(f.name): f.name for f in parsed.fields}
    record: dict[str, str | None] = dict(fixed or {})
    for key, value in properties.items():
        if key.lower() in banned:
            raise ImportValidationError(f"{label} may not contain the key {key!r}.")
        name = by_key.get(key)
        if name is None:
            raise ImportValidationError(
                f"{label} key {key!r} does not match a field of the dataset schema "
                f"(expected one of: {', '.join(sorted(by_key))})."
            )
        record[name] = _text(value, key, label)
    return record


def _text(value: Any, key: str, label: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "|".join(value)
    raise ImportValidationError(f"{label} key {key!r} must have a string value.")
