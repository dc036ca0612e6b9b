"""Personalize's Avro schema rules: what CreateSchema accepts and what each dataset type needs.

Two stages, as in the service. ``parse_schema`` runs at CreateSchema: the text must be a flat
Avro record of primitive fields (nullable through a union with ``null``), with Personalize's
field attributes (``categorical``, ``textual``, ``itemName``) on strings only and names unique
ignoring case and non-alphanumerics. ``check_schema_for_dataset`` runs at CreateDataset (and
UpdateDataset), when the dataset type and the dataset group's domain are known: required
fields, reserved keywords with their types, field-count limits, domain requirements.

The Avro record ``name`` is not checked against the dataset type. The guide says it "must
match", yet the service accepts any record name in practice (schemas are created before
they are tied to a dataset type, and one schema may back datasets of several groups); we
follow the service and rely on the fields instead.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

import fastavro
from fastavro.schema import SchemaParseException

DATASET_TYPES = ("Interactions", "Items", "Users", "Actions", "Action_Interactions")
DOMAINS = ("ECOMMERCE", "VIDEO_ON_DEMAND")
PRIMITIVES = ("string", "int", "long", "float", "double", "boolean")
NUMERIC = ("int", "long", "float", "double")

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SchemaError(ValueError):
    """A schema Personalize would refuse; the message says why and is fit to show a user."""


@dataclass(frozen=True)
class SchemaField:
    name: str
    avro_type: str  # one of PRIMITIVES
    nullable: bool = False
    categorical: bool = False
    textual: bool = False
    item_name: bool = False

    @property
    def numeric(self) -> bool:
        return self.avro_type in NUMERIC


@dataclass
class ParsedSchema:
    text: str
    record_name: str
    fields: list[SchemaField] = dataclass_field(default_factory=list)
    domain: str | None = None

    def field(self, name: str) -> SchemaField | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]


# --------------------------------------------------------------------------------------------
# CreateSchema


def parse_schema(text: str, domain: str | None = None) -> ParsedSchema:
    """Parse and check a schema as CreateSchema does; raise SchemaError saying what is wrong.

    With a ``domain``, a record named after a dataset type (``Interactions``, ``Items``,
    ``Users``) is also checked against that type's domain requirements right away.
    """
    if domain is not None and domain not in DOMAINS:
        raise SchemaError(f"Invalid domain {domain!r}; valid domains are {', '.join(DOMAINS)}.")
    try:
        raw = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise SchemaError(f"Schema is not valid JSON: {exc}") from None
    if not isinstance(raw, dict) or raw.get("type") != "record":
        raise SchemaError('Schema must be an Avro record (a JSON object with "type": "record").')
    fields_raw = raw.get("fields")
    if not isinstance(fields_raw, list) or not fields_raw:
        raise SchemaError("Schema must declare a non-empty list of fields.")
    try:
        parsed = fastavro.parse_schema(raw)
    except (SchemaParseException, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise SchemaError(f"Invalid Avro schema: {exc}") from None

    record_name = str(raw.get("name", ""))
    fields = [_parse_field(f) for f in parsed["fields"]]
    _check_unique_names(fields)
    item_names = [f.name for f in fields if f.item_name]
    if len(item_names) > 1:
        raise SchemaError(
            f"Only one field can have the itemName attribute; found {', '.join(item_names)}."
        )
    result = ParsedSchema(text=text, record_name=record_name, fields=fields, domain=domain)
    if domain is not None:
        local = record_name.rsplit(".", 1)[-1]
        for dataset_type in DATASET_TYPES:
            if local.lower() == dataset_type.lower():
                check_schema_for_dataset(result, dataset_type, domain)
    return result


def _parse_field(raw: dict[str, Any]) -> SchemaField:
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise SchemaError(
            f"Invalid field name {name!r}: names start with a letter or underscore and contain "
            "only letters, digits and underscores."
        )
    avro_type, nullable = _field_type(name, raw.get("type"))
    categorical = _flag(raw, name, "categorical")
    textual = _flag(raw, name, "textual")
    item_name = _flag(raw, name, "itemName")
    for attr, on in (("categorical", categorical), ("textual", textual), ("itemName", item_name)):
        if on and avro_type != "string":
            raise SchemaError(
                f"Field {name}: the {attr} attribute is only allowed on string fields, "
                f"not on {avro_type}."
            )
    if categorical and textual:
        raise SchemaError(f"Field {name} cannot be both categorical and textual.")
    return SchemaField(name, avro_type, nullable, categorical, textual, item_name)


def _flag(raw: dict[str, Any], name: str, attr: str) -> bool:
    value = raw.get(attr, False)
    if not isinstance(value, bool):
        raise SchemaError(f"Field {name}: the {attr} attribute must be true or false.")
    return value


def _field_type(name: str, t: Any) -> tuple[str, bool]:
    """(primitive type, nullable) of a field, or SchemaError for anything Personalize refuses."""
    if isinstance(t, list):
        members = [_primitive_name(name, m) for m in t]
        non_null = [m for m in members if m != "null"]
        if len(non_null) != 1 or len(members) != len(set(members)):
            raise SchemaError(
                f"Field {name}: a union may only combine one type with null, "
                f'e.g. ["null", "string"]; found {members}.'
            )
        return non_null[0], "null" in members
    prim = _primitive_name(name, t)
    if prim == "null":
        raise SchemaError(f"Field {name}: type null alone is not allowed; use a union with null.")
    return prim, False


def _primitive_name(name: str, t: Any) -> str:
    if isinstance(t, dict):
        if "logicalType" in t or t.get("type") not in (*PRIMITIVES, "null"):
            kind = t.get("logicalType") or t.get("type")
            raise SchemaError(
                f"Field {name}: type {kind!r} is not supported; allowed types are "
                f"{', '.join(PRIMITIVES)} and null."
            )
        t = t["type"]
    if not isinstance(t, str) or t not in (*PRIMITIVES, "null"):
        shown = t if isinstance(t, str) else json.dumps(t)[:80]
        raise SchemaError(
            f"Field {name}: type {shown!r} is not supported; allowed types are "
            f"{', '.join(PRIMITIVES)} and null (no arrays, maps, records, enums or nesting)."
        )
    return t


def _check_unique_names(fields: list[SchemaField]) -> None:
    seen: dict[str, str] = {}
    for f in fields:
        key = re.sub(r"[^0-9a-z]", "", f.name.lower())
        if key in seen:
            raise SchemaError(
                f"Field names {seen[key]} and {f.name} clash: names must be unique ignoring "
                "case and non-alphanumeric characters."
            )
        seen[key] = f.name


# --------------------------------------------------------------------------------------------
# CreateDataset


@dataclass(frozen=True)
class _Rule:
    """What a reserved or required field must look like."""

    types: tuple[str, ...]
    categorical: bool | None = None  # None: either
    textual: bool | None = None
    nullable_ok: bool = True


_STR = _Rule(("string",), categorical=False)
_STR_OPT = _Rule(("string",))
_LONG = _Rule(("long",))
_FLOAT = _Rule(("float", "double"))
_CAT = _Rule(("string",), categorical=True)
_TEXT = _Rule(("string",), textual=True)
_ID = _Rule(("string",), nullable_ok=False)
_TS = _Rule(("long",), nullable_ok=False)
_EVENT_TYPE_REQ = _Rule(("string",), categorical=False, nullable_ok=False)

_REQUIRED: dict[str, dict[str, _Rule]] = {
    "Interactions": {"USER_ID": _ID, "ITEM_ID": _ID, "TIMESTAMP": _TS},
    "Items": {"ITEM_ID": _ID},
    "Users": {"USER_ID": _ID},
    "Actions": {"ACTION_ID": _ID},
    "Action_Interactions": {
        "USER_ID": _ID,
        "ACTION_ID": _ID,
        "TIMESTAMP": _TS,
        "EVENT_TYPE": _EVENT_TYPE_REQ,
    },
}

_RESERVED: dict[str, dict[str, _Rule]] = {
    "Interactions": {
        "EVENT_TYPE": _STR,
        "EVENT_VALUE": _FLOAT,
        "IMPRESSION": _STR,
        "RECOMMENDATION_ID": _STR,
        "EVENT_ATTRIBUTION_SOURCE": _STR,
    },
    "Items": {"CREATION_TIMESTAMP": _LONG},
    "Users": {},
    "Actions": {
        "CREATION_TIMESTAMP": _LONG,
        "VALUE": _LONG,
        "TYPE": _STR_OPT,
        "EXPIRATION_TIMESTAMP": _LONG,
        "REPEAT_FREQUENCY": _LONG,
    },
    "Action_Interactions": {"IMPRESSION": _STR, "RECOMMENDATION_ID": _STR},
}

# Fields of a dataset that are neither required nor reserved: the metadata the limits count.
_MAX_METADATA = {"Interactions": 5, "Items": 100, "Users": 25, "Actions": 10}

_DOMAIN_REQUIRED: dict[str, dict[str, dict[str, _Rule]]] = {
    "ECOMMERCE": {
        "Interactions": {"EVENT_TYPE": _EVENT_TYPE_REQ},
        "Items": {"PRICE": _FLOAT, "CATEGORY_L1": _CAT},
    },
    "VIDEO_ON_DEMAND": {
        "Interactions": {"EVENT_TYPE": _EVENT_TYPE_REQ},
        "Items": {"CREATION_TIMESTAMP": _LONG, "GENRES": _CAT},
    },
}

_DOMAIN_RESERVED: dict[str, dict[str, dict[str, _Rule]]] = {
    "ECOMMERCE": {
        "Items": {
            "CATEGORY_L2": _CAT,
            "CATEGORY_L3": _CAT,
            "PRODUCT_DESCRIPTION": _TEXT,
            "AGE_GROUP": _CAT,
            "ADULT": _CAT,
            "GENDER": _CAT,
        },
    },
    "VIDEO_ON_DEMAND": {
        "Items": {
            "PRICE": _FLOAT,
            "DURATION": _FLOAT,
            "AVERAGE_RATING": _FLOAT,
            "GENRE_L2": _CAT,
            "GENRE_L3": _CAT,
            "PRODUCT_DESCRIPTION": _TEXT,
            "CONTENT_OWNER": _CAT,
            "CONTENT_CLASSIFICATION": _CAT,
        },
        "Users": {"SUBSCRIPTION_MODEL": _CAT},
    },
}


def check_schema_for_dataset(parsed: ParsedSchema, dataset_type: str, domain: str | None) -> None:
    """Raise SchemaError unless ``parsed`` can back a dataset of ``dataset_type`` in ``domain``."""
    if dataset_type not in DATASET_TYPES:
        raise SchemaError(
            f"Invalid dataset type {dataset_type!r}; valid types are {', '.join(DATASET_TYPES)}."
        )
    if domain is not None and domain not in DOMAINS:
        raise SchemaError(f"Invalid domain {domain!r}; valid domains are {', '.join(DOMAINS)}.")
    if domain is not None and dataset_type in ("Actions", "Action_Interactions"):
        raise SchemaError(
            f"{dataset_type} datasets cannot be created in a Domain dataset group ({domain})."
        )
    required = dict(_REQUIRED[dataset_type])
    reserved = dict(_RESERVED[dataset_type])
    if domain is not None:
        required.update(_DOMAIN_REQUIRED[domain].get(dataset_type, {}))
        reserved.update(_DOMAIN_RESERVED[domain].get(dataset_type, {}))
        for name in required:
            reserved.pop(name, None)

    where = f"{dataset_type} dataset" + (f" in the {domain} domain" if domain else "")
    missing = [name for name in required if parsed.field(name) is None]
    if missing:
        raise SchemaError(
            f"Schema for the {where} is missing required field(s): {', '.join(missing)}."
        )
    for name, rule in {**required, **reserved}.items():
        f = parsed.field(name)
        if f is not None:
            _check_rule(f, rule, where, required=name in required)

    metadata = [f for f in parsed.fields if f.name not in required and f.name not in reserved]
    if dataset_type in ("Items", "Users", "Actions") and len(parsed.fields) < 2:
        raise SchemaError(
            f"Schema for the {where} needs at least one metadata field besides the id."
        )
    limit = _MAX_METADATA.get(dataset_type)
    if limit is not None and len(metadata) > limit:
        raise SchemaError(
            f"Schema for the {where} has {len(metadata)} metadata fields "
            f"({', '.join(f.name for f in metadata)}); the limit is {limit}."
        )
    textual = [f.name for f in parsed.fields if f.textual]
    if textual and dataset_type != "Items":
        raise SchemaError(
            f"Field {textual[0]}: textual fields are only allowed in Items datasets, "
            f"not in the {dataset_type} dataset."
        )
    if len(textual) > 1:
        raise SchemaError(
            f"An Items schema may have at most one textual field; found {', '.join(textual)}."
        )
    item_names = [f.name for f in parsed.fields if f.item_name]
    if item_names and dataset_type != "Items":
        raise SchemaError(
            f"Field {item_names[0]}: the itemName attribute is only allowed in Items datasets."
        )


def _check_rule(f: SchemaField, rule: _Rule, where: str, *, required: bool) -> None:
    kind = "required" if required else "reserved"
    if f.avro_type not in rule.types:
        expected = " or ".join(rule.types)
        raise SchemaError(
            f"Field {f.name} is a {kind} field of the {where} and must be of type {expected}, "
            f"not {f.avro_type}."
        )
    if f.nullable and (required or not rule.nullable_ok):
        raise SchemaError(f"Field {f.name} is a required field of the {where} and cannot be null.")
    if rule.categorical is True and not f.categorical:
        raise SchemaError(
            f'Field {f.name} is a {kind} field of the {where} and must be "categorical": true.'
        )
    if rule.categorical is False and f.categorical:
        raise SchemaError(
            f"Field {f.name} is a {kind} field of the {where} and cannot be categorical."
        )
    if rule.textual is True and not f.textual:
        raise SchemaError(
            f'Field {f.name} is a {kind} field of the {where} and must be "textual": true.'
        )
    if rule.textual is None and f.textual and f.name in ("USER_ID", "ITEM_ID", "ACTION_ID"):
        raise SchemaError(f"Field {f.name} is an id field and cannot be textual.")


# --------------------------------------------------------------------------------------------
# For engines

#: Columns every engine reads by name; they are not metadata features.
STRUCTURAL_FIELDS = frozenset(
    {
        "USER_ID",
        "ITEM_ID",
        "ACTION_ID",
        "TIMESTAMP",
        "EVENT_TYPE",
        "EVENT_VALUE",
        "IMPRESSION",
        "RECOMMENDATION_ID",
        "EVENT_ATTRIBUTION_SOURCE",
    }
)


@dataclass
class Kinds:
    """Which metadata columns are categorical, textual, numeric or boolean.

    Field-for-field the same as ``engines.dataset.FieldKinds`` (data may not import engines):
    build one with ``FieldKinds(**vars(field_kinds(parsed)))``. Plain strings with neither
    attribute are in no set, as Personalize ignores them in training.
    """

    categorical: set[str] = dataclass_field(default_factory=set)
    textual: set[str] = dataclass_field(default_factory=set)
    numeric: set[str] = dataclass_field(default_factory=set)
    boolean: set[str] = dataclass_field(default_factory=set)
    item_name: str | None = None  # the field marked ``"itemName": true`` (Items only)


def field_kinds(parsed: ParsedSchema) -> Kinds:
    kinds = Kinds()
    for f in parsed.fields:
        if f.name in STRUCTURAL_FIELDS:
            continue
        if f.item_name:
            kinds.item_name = f.name
        if f.categorical:
            kinds.categorical.add(f.name)
        elif f.textual:
            kinds.textual.add(f.name)
        elif f.numeric:
            kinds.numeric.add(f.name)
        elif f.avro_type == "boolean":
            kinds.boolean.add(f.name)
    return kinds
