"""Avro schemas and small helpers shared by the resource tests."""

from __future__ import annotations

from support import ACCOUNT as ACCOUNT
from support import REGION as REGION
from support import avro
from support import error_of as error_of

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
