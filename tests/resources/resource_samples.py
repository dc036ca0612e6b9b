"""Avro schemas and small helpers shared by the resource tests."""

from __future__ import annotations

import json

ACCOUNT = "123456789012"
REGION = "us-east-1"


def avro(name: str, *fields: tuple) -> str:
    """A Personalize schema: ``fields`` are (name, type) or (name, type, {attrs})."""
    out = []
    for spec in fields:
        name_, type_, *attrs = spec
        out.append({"name": name_, "type": type_, **(attrs[0] if attrs else {})})
    return json.dumps(
        {
            "type": "record",
            "name": name,
            "namespace": "com.amazonaws.personalize.schema",
            "fields": out,
            "version": "1.0",
        }
    )


INTERACTIONS = avro(
    "Interactions", ("USER_ID", "string"), ("ITEM_ID", "string"), ("TIMESTAMP", "long")
)
ITEMS = avro("Items", ("ITEM_ID", "string"), ("GENRES", "string", {"categorical": True}))
ITEMS_PLUS_NULLABLE = avro(
    "Items",
    ("ITEM_ID", "string"),
    ("GENRES", "string", {"categorical": True}),
    ("YEAR", ["null", "int"]),
)
ITEMS_PLUS_REQUIRED = avro(
    "Items", ("ITEM_ID", "string"), ("GENRES", "string", {"categorical": True}), ("YEAR", "int")
)
USERS = avro("Users", ("USER_ID", "string"), ("AGE", "int"))
ACTIONS = avro("Actions", ("ACTION_ID", "string"), ("VALUE", ["null", "long"]))
ACTION_INTERACTIONS = avro(
    "Action_Interactions",
    ("USER_ID", "string"),
    ("ACTION_ID", "string"),
    ("TIMESTAMP", "long"),
    ("EVENT_TYPE", "string"),
)
ECOMMERCE_INTERACTIONS = avro(
    "Interactions",
    ("USER_ID", "string"),
    ("ITEM_ID", "string"),
    ("TIMESTAMP", "long"),
    ("EVENT_TYPE", "string"),
)


def error_of(excinfo) -> tuple[str, str]:
    """(code, message) of a botocore ClientError."""
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"]
