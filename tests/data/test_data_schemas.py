"""Schema rules: every dataset type and domain accepts a good schema; each rule refuses by name."""

from __future__ import annotations

import json

import pytest

from personalize_emulator.data.schemas import (
    SchemaError,
    check_schema_for_dataset,
    field_kinds,
    parse_schema,
)


def schema(*fields: dict, name: str = "Interactions") -> str:
    return json.dumps(
        {
            "type": "record",
            "name": name,
            "namespace": "com.amazonaws.personalize.schema",
            "fields": list(fields),
            "version": "1.0",
        }
    )


def f(name: str, type_: object = "string", **attrs: object) -> dict:
    return {"name": name, "type": type_, **attrs}


INTERACTIONS = [f("USER_ID"), f("ITEM_ID"), f("TIMESTAMP", "long")]

GOOD = {
    ("Interactions", None): [
        *INTERACTIONS,
        f("EVENT_TYPE"),
        f("EVENT_VALUE", ["null", "float"]),
        f("IMPRESSION", ["null", "string"]),
        f("RECOMMENDATION_ID", ["null", "string"]),
        f("EVENT_ATTRIBUTION_SOURCE", ["null", "string"]),
        f("DEVICE", ["null", "string"], categorical=True),
    ],
    ("Items", None): [
        f("ITEM_ID"),
        f("GENRES", ["null", "string"], categorical=True),
        f("DESCRIPTION", ["null", "string"], textual=True),
        f("TITLE", "string", itemName=True),
        f("CREATION_TIMESTAMP", "long"),
        f("PRICE", "double"),
        f("IN_STOCK", "boolean"),
    ],
    ("Users", None): [f("USER_ID"), f("AGE", "int"), f("GENDER", "string", categorical=True)],
    ("Actions", None): [
        f("ACTION_ID"),
        f("VALUE", ["null", "long"]),
        f("EXPIRATION_TIMESTAMP", ["null", "long"]),
        f("REPEAT_FREQUENCY", ["null", "long"]),
        f("CREATION_TIMESTAMP", "long"),
    ],
    ("Action_Interactions", None): [
        f("USER_ID"),
        f("ACTION_ID"),
        f("TIMESTAMP", "long"),
        f("EVENT_TYPE"),
        f("IMPRESSION", ["null", "string"]),
    ],
    ("Interactions", "ECOMMERCE"): [*INTERACTIONS, f("EVENT_TYPE")],
    ("Items", "ECOMMERCE"): [
        f("ITEM_ID"),
        f("PRICE", "float"),
        f("CATEGORY_L1", "string", categorical=True),
        f("PRODUCT_DESCRIPTION", ["null", "string"], textual=True),
    ],
    ("Users", "ECOMMERCE"): [f("USER_ID"), f("MEMBERSHIP", "string", categorical=True)],
    ("Interactions", "VIDEO_ON_DEMAND"): [*INTERACTIONS, f("EVENT_TYPE")],
    ("Items", "VIDEO_ON_DEMAND"): [
        f("ITEM_ID"),
        f("CREATION_TIMESTAMP", "long"),
        f("GENRES", "string", categorical=True),
        f("AVERAGE_RATING", ["null", "float"]),
    ],
    ("Users", "VIDEO_ON_DEMAND"): [
        f("USER_ID"),
        f("SUBSCRIPTION_MODEL", "string", categorical=True),
    ],
}


@pytest.mark.parametrize(("dataset_type", "domain"), list(GOOD))
def test_good_schemas_pass(dataset_type: str, domain: str | None) -> None:
    text = schema(*GOOD[(dataset_type, domain)], name=dataset_type)
    parsed = parse_schema(text, domain)
    check_schema_for_dataset(parsed, dataset_type, domain)
    assert parsed.names == [x["name"] for x in GOOD[(dataset_type, domain)]]
    assert parsed.text == text


def test_parsed_fields_carry_types_and_attributes() -> None:
    parsed = parse_schema(schema(*GOOD[("Items", None)], name="Items"))
    assert parsed.record_name == "Items"
    genres = parsed.field("GENRES")
    assert genres is not None and genres.nullable and genres.categorical
    assert genres.avro_type == "string"
    assert parsed.field("TITLE").item_name
    assert parsed.field("PRICE").avro_type == "double" and not parsed.field("PRICE").nullable
    assert parsed.field("NOPE") is None


def test_record_name_need_not_match_dataset_type() -> None:
    parsed = parse_schema(schema(*INTERACTIONS, name="MyClickstream"))
    check_schema_for_dataset(parsed, "Interactions", None)


def test_field_kinds() -> None:
    kinds = field_kinds(parse_schema(schema(*GOOD[("Items", None)], name="Items")))
    assert kinds.categorical == {"GENRES"}
    assert kinds.textual == {"DESCRIPTION"}
    assert kinds.numeric == {"CREATION_TIMESTAMP", "PRICE"}
    assert kinds.boolean == {"IN_STOCK"}
    inter = field_kinds(parse_schema(schema(*GOOD[("Interactions", None)])))
    assert inter.categorical == {"DEVICE"} and not inter.numeric  # EVENT_VALUE is structural


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"type": "string"}), "Avro record"),
        (json.dumps({"type": "record", "name": "X", "fields": []}), "non-empty"),
        (schema(f("A", {"type": "array", "items": "string"})), "Field A"),
        (schema(f("A", {"type": "map", "values": "string"})), "Field A"),
        (
            schema(f("A", {"type": "record", "name": "In", "fields": [f("B")]})),
            "Field A",
        ),
        (schema(f("A", {"type": "enum", "name": "E", "symbols": ["X"]})), "Field A"),
        (schema(f("A", ["string", "int"])), "Field A"),
        (schema(f("A", ["null", {"type": "array", "items": "int"}])), "Field A"),
        (schema(f("A", "null")), "Field A"),
        (schema(f("A", {"type": "long", "logicalType": "timestamp-millis"})), "Field A"),
        (schema(f("A", "int", categorical=True)), "Field A"),
        (schema(f("A", "float", textual=True)), "Field A"),
        (schema(f("A", "long", itemName=True)), "Field A"),
        (schema(f("A", categorical=True, textual=True)), "Field A"),
        (schema(f("A", categorical="yes")), "Field A"),
        (schema(f("GENRES_FIELD_1"), f("GENRESFIELD1")), "GENRESFIELD1"),
        (schema(f("genre"), f("GENRE")), "GENRE"),
        (schema(f("1BAD")), "1BAD"),
        (schema(f("A", itemName=True), f("B", itemName=True)), "itemName"),
    ],
)
def test_parse_refuses(text: str, needle: str) -> None:
    with pytest.raises(SchemaError, match=needle):
        parse_schema(text)


def check(dataset_type: str, fields: list[dict], domain: str | None = None) -> None:
    check_schema_for_dataset(parse_schema(schema(*fields)), dataset_type, domain)


@pytest.mark.parametrize(
    ("dataset_type", "fields", "domain", "needle"),
    [
        ("Interactions", [f("USER_ID"), f("ITEM_ID")], None, "TIMESTAMP"),
        ("Interactions", [f("USER_ID"), f("ITEM_ID"), f("TIMESTAMP", "int")], None, "TIMESTAMP"),
        (
            "Interactions",
            [f("USER_ID", ["null", "string"]), f("ITEM_ID"), f("TIMESTAMP", "long")],
            None,
            "USER_ID",
        ),
        ("Interactions", [f("USER_ID", "int"), *INTERACTIONS[1:]], None, "USER_ID"),
        ("Interactions", [*INTERACTIONS, f("EVENT_TYPE", categorical=True)], None, "EVENT_TYPE"),
        ("Interactions", [*INTERACTIONS, f("EVENT_VALUE", "string")], None, "EVENT_VALUE"),
        ("Interactions", [*INTERACTIONS, f("IMPRESSION", "long")], None, "IMPRESSION"),
        ("Interactions", [*INTERACTIONS, f("RECOMMENDATION_ID", "int")], None, "RECOMMENDATION_ID"),
        (
            "Interactions",
            [*INTERACTIONS, f("EVENT_ATTRIBUTION_SOURCE", "int")],
            None,
            "EVENT_ATTRIBUTION_SOURCE",
        ),
        (
            "Interactions",
            [*INTERACTIONS, *(f(f"C{i}", categorical=True) for i in range(6))],
            None,
            "limit is 5",
        ),
        ("Interactions", [*INTERACTIONS, f("NOTE", textual=True)], None, "NOTE"),
        ("Interactions", [*INTERACTIONS], "ECOMMERCE", "EVENT_TYPE"),
        ("Interactions", [*INTERACTIONS], "VIDEO_ON_DEMAND", "EVENT_TYPE"),
        ("Items", [f("ITEM_ID")], None, "metadata"),
        ("Items", [f("ID"), f("X", "int")], None, "ITEM_ID"),
        ("Items", [f("ITEM_ID"), f("CREATION_TIMESTAMP", "int")], None, "CREATION_TIMESTAMP"),
        ("Items", [f("ITEM_ID"), f("A", textual=True), f("B", textual=True)], None, "A, B"),
        ("Items", [f("ITEM_ID"), *(f(f"M{i}", "int") for i in range(101))], None, "limit is 100"),
        ("Items", [f("ITEM_ID"), f("CATEGORY_L1", categorical=True)], "ECOMMERCE", "PRICE"),
        (
            "Items",
            [f("ITEM_ID"), f("PRICE", "float"), f("CATEGORY_L1")],
            "ECOMMERCE",
            "CATEGORY_L1",
        ),
        (
            "Items",
            [f("ITEM_ID"), f("PRICE", "string"), f("CATEGORY_L1", categorical=True)],
            "ECOMMERCE",
            "PRICE",
        ),
        (
            "Items",
            [
                f("ITEM_ID"),
                f("PRICE", "float"),
                f("CATEGORY_L1", categorical=True),
                f("PRODUCT_DESCRIPTION"),
            ],
            "ECOMMERCE",
            "PRODUCT_DESCRIPTION",
        ),
        (
            "Items",
            [f("ITEM_ID"), f("GENRES", categorical=True)],
            "VIDEO_ON_DEMAND",
            "CREATION_TIMESTAMP",
        ),
        (
            "Items",
            [f("ITEM_ID"), f("CREATION_TIMESTAMP", "long"), f("GENRES")],
            "VIDEO_ON_DEMAND",
            "GENRES",
        ),
        ("Users", [f("USER_ID")], None, "metadata"),
        ("Users", [f("USER_ID"), *(f(f"M{i}", "int") for i in range(26))], None, "limit is 25"),
        ("Users", [f("USER_ID"), f("BIO", textual=True)], None, "BIO"),
        ("Users", [f("USER_ID"), f("NAME", itemName=True)], None, "NAME"),
        ("Users", [f("USER_ID"), f("SUBSCRIPTION_MODEL")], "VIDEO_ON_DEMAND", "SUBSCRIPTION_MODEL"),
        ("Actions", [f("ACTION_ID")], None, "metadata"),
        ("Actions", [f("ACTION_ID"), f("VALUE", "string")], None, "VALUE"),
        (
            "Actions",
            [f("ACTION_ID"), f("EXPIRATION_TIMESTAMP", "int")],
            None,
            "EXPIRATION_TIMESTAMP",
        ),
        ("Actions", [f("ACTION_ID"), f("V", "int")], "ECOMMERCE", "Domain"),
        (
            "Action_Interactions",
            [f("USER_ID"), f("ACTION_ID"), f("TIMESTAMP", "long")],
            None,
            "EVENT_TYPE",
        ),
        (
            "Action_Interactions",
            [f("USER_ID"), f("ACTION_ID"), f("TIMESTAMP", "long"), f("EVENT_TYPE")],
            "VIDEO_ON_DEMAND",
            "Domain",
        ),
        ("Clicks", [*INTERACTIONS], None, "dataset type"),
        ("Interactions", [*INTERACTIONS], "RETAIL", "domain"),
    ],
)
def test_dataset_rules_refuse(
    dataset_type: str, fields: list[dict], domain: str | None, needle: str
) -> None:
    with pytest.raises(SchemaError, match=needle):
        check(dataset_type, fields, domain)


def test_domain_schema_named_after_type_is_checked_at_create_schema() -> None:
    with pytest.raises(SchemaError, match="EVENT_TYPE"):
        parse_schema(schema(*INTERACTIONS, name="Interactions"), "ECOMMERCE")
    parse_schema(schema(*INTERACTIONS, name="Whatever"), "ECOMMERCE")
    with pytest.raises(SchemaError, match="domain"):
        parse_schema(schema(*INTERACTIONS), "RETAIL")


def test_field_kinds_names_the_item_name_field():
    text = json.dumps(
        {
            "type": "record",
            "name": "Items",
            "namespace": "com.amazonaws.personalize.schema",
            "fields": [
                {"name": "ITEM_ID", "type": "string"},
                {"name": "TITLE", "type": "string", "itemName": True},
                {"name": "GENRES", "type": "string", "categorical": True},
            ],
            "version": "1.0",
        }
    )
    kinds = field_kinds(parse_schema(text))
    assert kinds.item_name == "TITLE"
    assert kinds.categorical == {"GENRES"}
