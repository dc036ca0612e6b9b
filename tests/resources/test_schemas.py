"""Schemas through boto3 on both doors: moto's eight tests (ported) and every refusal."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from resource_samples import ACCOUNT, INTERACTIONS, avro, error_of

# --- moto's tests/test_personalize/test_personalize_schema.py, with a valid Avro schema --------


def test_create_schema_returns_exact_arn(aws):
    client = aws.client("personalize", region_name="ap-southeast-1")
    arn = client.create_schema(name="personalize-schema-1", schema=INTERACTIONS)["schemaArn"]
    assert arn == f"arn:aws:personalize:ap-southeast-1:{ACCOUNT}:schema/personalize-schema-1"


def test_delete_schema_empties_the_list(personalize):
    arn = personalize.create_schema(name="s1", schema=INTERACTIONS)["schemaArn"]
    personalize.delete_schema(schemaArn=arn)
    assert personalize.list_schemas()["schemas"] == []


def test_delete_unknown_schema(personalize):
    arn = f"arn:aws:personalize:us-east-1:{ACCOUNT}:schema/unknown"
    with pytest.raises(ClientError) as exc:
        personalize.delete_schema(schemaArn=arn)
    assert error_of(exc) == ("ResourceNotFoundException", f"Resource Arn {arn} does not exist.")


def test_describe_schema(personalize):
    arn = personalize.create_schema(name="s1", schema=INTERACTIONS)["schemaArn"]
    schema = personalize.describe_schema(schemaArn=arn)["schema"]
    assert schema["name"] == "s1"
    assert "schema/s1" in schema["schemaArn"]
    assert schema["schema"] == INTERACTIONS
    assert "creationDateTime" in schema and "lastUpdatedDateTime" in schema
    assert "domain" not in schema


def test_describe_schema_with_domain(personalize):
    text = avro(
        "Interactions",
        ("USER_ID", "string"),
        ("ITEM_ID", "string"),
        ("TIMESTAMP", "long"),
        ("EVENT_TYPE", "string"),
    )
    arn = personalize.create_schema(name="s1", schema=text, domain="ECOMMERCE")["schemaArn"]
    schema = personalize.describe_schema(schemaArn=arn)["schema"]
    assert schema["domain"] == "ECOMMERCE"
    assert schema["schema"] == text


def test_describe_unknown_schema_in_another_account_and_region(personalize):
    arn = "arn:aws:personalize:ap-southeast-1:111111111111:schema/unknown"
    with pytest.raises(ClientError) as exc:
        personalize.describe_schema(schemaArn=arn)
    assert error_of(exc) == ("ResourceNotFoundException", f"Resource Arn {arn} does not exist.")


def test_list_schemas_initially_empty(personalize):
    assert personalize.list_schemas()["schemas"] == []


def test_list_schemas_shows_summaries(personalize):
    arn = personalize.create_schema(name="s1", schema=INTERACTIONS)["schemaArn"]
    [summary] = personalize.list_schemas()["schemas"]
    assert summary["name"] == "s1"
    assert summary["schemaArn"] == arn
    assert "creationDateTime" in summary and "lastUpdatedDateTime" in summary
    assert "schema" not in summary


# --- refusals: each leaves the state as it was ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("sth", ""),
        ('{"type": "record"}', ""),
        (
            json.dumps(
                {
                    "type": "record",
                    "name": "Interactions",
                    "fields": [{"name": "USER_ID", "type": {"type": "array", "items": "string"}}],
                }
            ),
            "USER_ID",
        ),
        (avro("Items", ("ITEM_ID", "string"), ("PRICE", "float", {"categorical": True})), "PRICE"),
    ],
)
def test_invalid_schema_is_refused(personalize, text, reason):
    with pytest.raises(ClientError) as exc:
        personalize.create_schema(name="bad", schema=text)
    code, message = error_of(exc)
    assert code == "InvalidInputException"
    assert reason in message and message
    assert personalize.list_schemas()["schemas"] == []


def test_duplicate_name_is_refused(personalize):
    arn = personalize.create_schema(name="s1", schema=INTERACTIONS)["schemaArn"]
    before = personalize.describe_schema(schemaArn=arn)["schema"]
    other = avro("Users", ("USER_ID", "string"), ("AGE", "int"))
    with pytest.raises(ClientError) as exc:
        personalize.create_schema(name="s1", schema=other)
    assert error_of(exc)[0] == "ResourceAlreadyExistsException"
    assert arn in error_of(exc)[1]
    assert personalize.describe_schema(schemaArn=arn)["schema"] == before


def test_same_name_in_another_region_is_another_schema(aws):
    east = aws.client("personalize", region_name="us-east-1")
    west = aws.client("personalize", region_name="us-west-2")
    a = east.create_schema(name="s1", schema=INTERACTIONS)["schemaArn"]
    b = west.create_schema(name="s1", schema=INTERACTIONS)["schemaArn"]
    assert a != b and ":us-west-2:" in b
    assert [s["schemaArn"] for s in west.list_schemas()["schemas"]] == [b]


def test_delete_schema_in_use_is_refused(personalize):
    schema = personalize.create_schema(name="s1", schema=INTERACTIONS)["schemaArn"]
    group = personalize.create_dataset_group(name="g1")["datasetGroupArn"]
    dataset = personalize.create_dataset(
        name="d1", schemaArn=schema, datasetGroupArn=group, datasetType="INTERACTIONS"
    )["datasetArn"]
    with pytest.raises(ClientError) as exc:
        personalize.delete_schema(schemaArn=schema)
    code, message = error_of(exc)
    assert code == "ResourceInUseException" and dataset in message
    assert personalize.describe_schema(schemaArn=schema)["schema"]["schemaArn"] == schema
    personalize.delete_dataset(datasetArn=dataset)
    personalize.delete_schema(schemaArn=schema)
    assert personalize.list_schemas()["schemas"] == []


def test_wrong_kind_of_arn_is_invalid_input(personalize):
    group = personalize.create_dataset_group(name="g1")["datasetGroupArn"]
    for call in (personalize.describe_schema, personalize.delete_schema):
        with pytest.raises(ClientError) as exc:
            call(schemaArn=group)
        code, message = error_of(exc)
        assert code == "InvalidInputException"
        assert "schemaArn" in message and "schema" in message
    assert personalize.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]


def test_bad_name_is_refused_by_validation(personalize):
    with pytest.raises(ClientError) as exc:
        personalize.create_schema(name="-bad", schema=INTERACTIONS)
    assert error_of(exc)[0] in ("InvalidInputException", "ValidationException")
    assert personalize.list_schemas()["schemas"] == []
