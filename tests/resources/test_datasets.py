"""Datasets through boto3 on both doors."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError
from resource_samples import (
    ACCOUNT,
    ACTION_INTERACTIONS,
    ACTIONS,
    ECOMMERCE_INTERACTIONS,
    INTERACTIONS,
    ITEMS,
    ITEMS_PLUS_NULLABLE,
    ITEMS_PLUS_REQUIRED,
    USERS,
    error_of,
)


@pytest.fixture
def group(personalize):
    return personalize.create_dataset_group(name="movies")["datasetGroupArn"]


def schema(personalize, name, text, domain=None):
    kwargs = {"domain": domain} if domain else {}
    return personalize.create_schema(name=name, schema=text, **kwargs)["schemaArn"]


def test_create_describe_list_delete(personalize, group):
    s = schema(personalize, "inter", INTERACTIONS)
    arn = personalize.create_dataset(
        name="interactions", schemaArn=s, datasetGroupArn=group, datasetType="Interactions"
    )["datasetArn"]
    assert arn == f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset/movies/INTERACTIONS"
    ds = personalize.describe_dataset(datasetArn=arn)["dataset"]
    assert ds["name"] == "interactions"
    assert ds["datasetType"] == "INTERACTIONS"
    assert (ds["datasetGroupArn"], ds["schemaArn"], ds["status"]) == (group, s, "ACTIVE")
    assert "latestDatasetUpdate" not in ds and "trackingId" not in ds
    [summary] = personalize.list_datasets(datasetGroupArn=group)["datasets"]
    assert summary["datasetArn"] == arn and summary["datasetType"] == "INTERACTIONS"
    assert "schemaArn" not in summary
    personalize.delete_dataset(datasetArn=arn)
    assert personalize.list_datasets(datasetGroupArn=group)["datasets"] == []
    with pytest.raises(ClientError) as exc:
        personalize.describe_dataset(datasetArn=arn)
    assert error_of(exc) == ("ResourceNotFoundException", f"Resource Arn {arn} does not exist.")


@pytest.mark.parametrize(
    ("text", "dataset_type", "suffix"),
    [
        (ITEMS, "items", "ITEMS"),
        (USERS, "USERS", "USERS"),
        (ACTIONS, "Actions", "ACTIONS"),
        (ACTION_INTERACTIONS, "action_interactions", "ACTION_INTERACTIONS"),
    ],
)
def test_every_dataset_type(personalize, group, text, dataset_type, suffix):
    s = schema(personalize, "s", text)
    arn = personalize.create_dataset(
        name="d", schemaArn=s, datasetGroupArn=group, datasetType=dataset_type
    )["datasetArn"]
    assert arn.endswith(f":dataset/movies/{suffix}")
    ds = personalize.describe_dataset(datasetArn=arn)["dataset"]
    assert ds["datasetType"] == suffix
    if suffix == "ACTION_INTERACTIONS":
        assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", ds["trackingId"])
    else:
        assert "trackingId" not in ds


def test_list_filters_by_group(personalize, group):
    other = personalize.create_dataset_group(name="other")["datasetGroupArn"]
    s = schema(personalize, "inter", INTERACTIONS)
    a = personalize.create_dataset(
        name="a", schemaArn=s, datasetGroupArn=group, datasetType="INTERACTIONS"
    )["datasetArn"]
    b = personalize.create_dataset(
        name="b", schemaArn=s, datasetGroupArn=other, datasetType="INTERACTIONS"
    )["datasetArn"]
    assert [
        d["datasetArn"] for d in personalize.list_datasets(datasetGroupArn=group)["datasets"]
    ] == [a]
    assert {d["datasetArn"] for d in personalize.list_datasets()["datasets"]} == {a, b}
    unknown = f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset-group/none"
    assert personalize.list_datasets(datasetGroupArn=unknown)["datasets"] == []
    with pytest.raises(ClientError) as exc:
        personalize.list_datasets(datasetGroupArn=s)
    assert error_of(exc)[0] == "InvalidInputException"


def test_second_dataset_of_a_type_is_refused(personalize, group):
    s = schema(personalize, "inter", INTERACTIONS)
    arn = personalize.create_dataset(
        name="a", schemaArn=s, datasetGroupArn=group, datasetType="INTERACTIONS"
    )["datasetArn"]
    with pytest.raises(ClientError) as exc:
        personalize.create_dataset(
            name="b", schemaArn=s, datasetGroupArn=group, datasetType="interactions"
        )
    assert error_of(exc) == (
        "ResourceAlreadyExistsException",
        f"Another resource with Arn {arn} already exists.",
    )
    assert personalize.describe_dataset(datasetArn=arn)["dataset"]["name"] == "a"


def test_schema_must_fit_the_type(personalize, group):
    s = schema(personalize, "users", USERS)
    with pytest.raises(ClientError) as exc:
        personalize.create_dataset(
            name="d", schemaArn=s, datasetGroupArn=group, datasetType="INTERACTIONS"
        )
    code, message = error_of(exc)
    assert code == "InvalidInputException" and "ITEM_ID" in message
    assert personalize.list_datasets()["datasets"] == []


def test_unknown_dataset_type(personalize, group):
    s = schema(personalize, "inter", INTERACTIONS)
    with pytest.raises(ClientError) as exc:
        personalize.create_dataset(
            name="d", schemaArn=s, datasetGroupArn=group, datasetType="EVENTS"
        )
    code, message = error_of(exc)
    assert code == "InvalidInputException" and "datasetType" in message
    assert personalize.list_datasets()["datasets"] == []


def test_unknown_and_wrong_kind_parents(personalize, group):
    s = schema(personalize, "inter", INTERACTIONS)
    missing_group = f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset-group/none"
    missing_schema = f"arn:aws:personalize:us-east-1:{ACCOUNT}:schema/none"
    cases = [
        (
            {"schemaArn": s, "datasetGroupArn": missing_group},
            "ResourceNotFoundException",
            missing_group,
        ),
        (
            {"schemaArn": missing_schema, "datasetGroupArn": group},
            "ResourceNotFoundException",
            missing_schema,
        ),
        ({"schemaArn": group, "datasetGroupArn": group}, "InvalidInputException", "schemaArn"),
        ({"schemaArn": s, "datasetGroupArn": s}, "InvalidInputException", "datasetGroupArn"),
    ]
    for kwargs, code, needle in cases:
        with pytest.raises(ClientError) as exc:
            personalize.create_dataset(name="d", datasetType="INTERACTIONS", **kwargs)
        got_code, message = error_of(exc)
        assert got_code == code and needle in message
    assert personalize.list_datasets()["datasets"] == []


def test_domain_rules(personalize):
    shop = personalize.create_dataset_group(name="shop", domain="ECOMMERCE")["datasetGroupArn"]
    custom = schema(personalize, "custom", INTERACTIONS)
    domain_schema = schema(personalize, "ecomm", ECOMMERCE_INTERACTIONS, "ECOMMERCE")
    actions = schema(personalize, "actions", ACTIONS)
    for s, dataset_type in ((custom, "INTERACTIONS"), (actions, "ACTIONS")):
        with pytest.raises(ClientError) as exc:
            personalize.create_dataset(
                name="d", schemaArn=s, datasetGroupArn=shop, datasetType=dataset_type
            )
        assert error_of(exc)[0] == "InvalidInputException"
    assert personalize.list_datasets()["datasets"] == []
    personalize.create_dataset(
        name="d", schemaArn=domain_schema, datasetGroupArn=shop, datasetType="INTERACTIONS"
    )
    # and a domain schema does not fit a Custom group
    movies = personalize.create_dataset_group(name="movies")["datasetGroupArn"]
    with pytest.raises(ClientError) as exc:
        personalize.create_dataset(
            name="d", schemaArn=domain_schema, datasetGroupArn=movies, datasetType="INTERACTIONS"
        )
    assert error_of(exc)[0] == "InvalidInputException"


def test_wrong_kind_and_unknown_dataset(personalize, group):
    unknown = f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset/movies/ITEMS"
    for call in (personalize.describe_dataset, personalize.delete_dataset):
        with pytest.raises(ClientError) as exc:
            call(datasetArn=unknown)
        assert error_of(exc) == (
            "ResourceNotFoundException",
            f"Resource Arn {unknown} does not exist.",
        )
        with pytest.raises(ClientError) as exc:
            call(datasetArn=group)
        assert error_of(exc)[0] == "InvalidInputException" and "datasetArn" in error_of(exc)[1]


def test_update_dataset_adds_a_nullable_field(personalize, group):
    old = schema(personalize, "items-v1", ITEMS)
    new = schema(personalize, "items-v2", ITEMS_PLUS_NULLABLE)
    arn = personalize.create_dataset(
        name="items", schemaArn=old, datasetGroupArn=group, datasetType="ITEMS"
    )["datasetArn"]
    assert personalize.update_dataset(datasetArn=arn, schemaArn=new)["datasetArn"] == arn
    ds = personalize.describe_dataset(datasetArn=arn)["dataset"]
    assert ds["schemaArn"] == new
    update = ds["latestDatasetUpdate"]
    assert update["schemaArn"] == new and update["status"] == "ACTIVE"
    # the old schema is no longer in use, the new one is
    personalize.delete_schema(schemaArn=old)
    with pytest.raises(ClientError) as exc:
        personalize.delete_schema(schemaArn=new)
    assert error_of(exc)[0] == "ResourceInUseException"


def test_update_dataset_refusals(personalize, group):
    items = schema(personalize, "items-v1", ITEMS)
    required = schema(personalize, "items-req", ITEMS_PLUS_REQUIRED)
    users = schema(personalize, "users", USERS)
    inter = schema(personalize, "inter", INTERACTIONS)
    items_ds = personalize.create_dataset(
        name="items", schemaArn=items, datasetGroupArn=group, datasetType="ITEMS"
    )["datasetArn"]
    inter_ds = personalize.create_dataset(
        name="inter", schemaArn=inter, datasetGroupArn=group, datasetType="INTERACTIONS"
    )["datasetArn"]
    cases = [
        (items_ds, required, "YEAR"),  # adds a non-nullable field
        (items_ds, users, "ITEM_ID"),  # does not fit the Items type
        (inter_ds, inter, "Interactions"),  # only Items and Users can be updated
    ]
    for dataset, new, needle in cases:
        with pytest.raises(ClientError) as exc:
            personalize.update_dataset(datasetArn=dataset, schemaArn=new)
        code, message = error_of(exc)
        assert code == "InvalidInputException" and needle in message
    ds = personalize.describe_dataset(datasetArn=items_ds)["dataset"]
    assert ds["schemaArn"] == items and "latestDatasetUpdate" not in ds


def test_delete_drops_the_datasets_rows(aws, personalize, group):
    from personalize_emulator.resources import datastore

    s = schema(personalize, "inter", INTERACTIONS)
    arn = personalize.create_dataset(
        name="d", schemaArn=s, datasetGroupArn=group, datasetType="INTERACTIONS"
    )["datasetArn"]
    record = aws.store().records["dataset"][arn]
    directory = datastore.dataset_dir(aws.store(), record)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "rows.parquet").write_bytes(b"imported rows")
    personalize.delete_dataset(datasetArn=arn)
    assert not directory.exists()


def test_delete_refused_while_an_import_runs(aws, personalize, group):
    from personalize_emulator import config

    s3 = aws.client("s3")
    s3.create_bucket(Bucket="data")
    rows = "\n".join(f"u{i % 30},i{i % 50},{1_600_000_000 + i}" for i in range(1200))
    s3.put_object(Bucket="data", Key="i.csv", Body=f"USER_ID,ITEM_ID,TIMESTAMP\n{rows}\n")
    s = schema(personalize, "inter", INTERACTIONS)
    arn = personalize.create_dataset(
        name="d", schemaArn=s, datasetGroupArn=group, datasetType="INTERACTIONS"
    )["datasetArn"]
    with config.override(job_mode="async", min_state_seconds=600):
        job = personalize.create_dataset_import_job(
            jobName="load",
            datasetArn=arn,
            dataSource={"dataLocation": "s3://data/i.csv"},
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/p",
        )["datasetImportJobArn"]
        with pytest.raises(ClientError) as exc:
            personalize.delete_dataset(datasetArn=arn)
        code, message = error_of(exc)
        assert code == "ResourceInUseException" and job in message
        assert personalize.describe_dataset(datasetArn=arn)["dataset"]["status"] == "ACTIVE"
