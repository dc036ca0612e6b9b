"""Async job mode: dataset groups and datasets walk their statuses; busy resources refuse."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError
from resource_samples import INTERACTIONS, ITEMS, ITEMS_PLUS_NULLABLE, error_of

from personalize_emulator import config


def poll(fn, done, deadline_s=60.0):
    """Statuses seen by polling ``fn`` until ``done(status)``; ``None`` once it is gone."""
    seen, end = [], time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            status = fn()
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            status = None
        if not seen or seen[-1] != status:
            seen.append(status)
        if done(status):
            return seen
        time.sleep(0.05)
    raise AssertionError(f"still not done after {deadline_s}s; seen {seen}")


def test_busy_group_refuses_datasets_and_delete(personalize):
    schema = personalize.create_schema(name="s", schema=INTERACTIONS)["schemaArn"]
    with config.override(job_mode="async", min_state_seconds=600):
        group = personalize.create_dataset_group(name="g")["datasetGroupArn"]
        status = personalize.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]
        assert status["status"] == "CREATE PENDING"
        with pytest.raises(ClientError) as exc:
            personalize.create_dataset(
                name="d", schemaArn=schema, datasetGroupArn=group, datasetType="INTERACTIONS"
            )
        assert error_of(exc)[0] == "ResourceInUseException" and group in error_of(exc)[1]
        with pytest.raises(ClientError) as exc:
            personalize.delete_dataset_group(datasetGroupArn=group)
        assert error_of(exc)[0] == "ResourceInUseException"
        assert personalize.list_datasets()["datasets"] == []
        assert [g["status"] for g in personalize.list_dataset_groups()["datasetGroups"]] == [
            "CREATE PENDING"
        ]


def test_statuses_progress_then_delete_removes(personalize):
    schema = personalize.create_schema(name="s", schema=INTERACTIONS)["schemaArn"]
    with config.override(job_mode="async", min_state_seconds=0.3):
        group = personalize.create_dataset_group(name="g")["datasetGroupArn"]

        def group_status():
            return personalize.describe_dataset_group(datasetGroupArn=group)["datasetGroup"][
                "status"
            ]

        seen = poll(group_status, lambda s: s == "ACTIVE")
        assert seen[0] == "CREATE PENDING" and seen[-1] == "ACTIVE"
        assert set(seen) <= {"CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"}

        dataset = personalize.create_dataset(
            name="d", schemaArn=schema, datasetGroupArn=group, datasetType="INTERACTIONS"
        )["datasetArn"]

        def dataset_status():
            return personalize.describe_dataset(datasetArn=dataset)["dataset"]["status"]

        assert dataset_status() == "CREATE PENDING"
        with pytest.raises(ClientError) as exc:
            personalize.delete_dataset(datasetArn=dataset)
        assert error_of(exc)[0] == "ResourceInUseException"
        poll(dataset_status, lambda s: s == "ACTIVE")

        personalize.delete_dataset(datasetArn=dataset)
        seen = poll(dataset_status, lambda s: s is None)
        assert seen[0] == "DELETE PENDING"
        assert set(seen) <= {"DELETE PENDING", "DELETE IN_PROGRESS", None}
        # the schema is free again once the dataset is gone
        personalize.delete_schema(schemaArn=schema)

        personalize.delete_dataset_group(datasetGroupArn=group)
        seen = poll(group_status, lambda s: s is None)
        assert seen[0] == "DELETE PENDING"
        assert personalize.list_dataset_groups()["datasetGroups"] == []


def test_dataset_update_progresses_and_switches_schema_at_the_end(personalize):
    group = personalize.create_dataset_group(name="g")["datasetGroupArn"]
    old = personalize.create_schema(name="v1", schema=ITEMS)["schemaArn"]
    new = personalize.create_schema(name="v2", schema=ITEMS_PLUS_NULLABLE)["schemaArn"]
    dataset = personalize.create_dataset(
        name="items", schemaArn=old, datasetGroupArn=group, datasetType="ITEMS"
    )["datasetArn"]
    with config.override(job_mode="async", min_state_seconds=0.3):
        personalize.update_dataset(datasetArn=dataset, schemaArn=new)
        ds = personalize.describe_dataset(datasetArn=dataset)["dataset"]
        assert ds["status"] == "ACTIVE" and ds["schemaArn"] == old
        assert ds["latestDatasetUpdate"]["status"] == "CREATE PENDING"
        assert ds["latestDatasetUpdate"]["schemaArn"] == new
        with pytest.raises(ClientError) as exc:
            personalize.update_dataset(datasetArn=dataset, schemaArn=new)
        assert error_of(exc)[0] == "ResourceInUseException"

        def update_status():
            return personalize.describe_dataset(datasetArn=dataset)["dataset"][
                "latestDatasetUpdate"
            ]["status"]

        seen = poll(update_status, lambda s: s == "ACTIVE")
        assert set(seen) <= {"CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"}
        assert personalize.describe_dataset(datasetArn=dataset)["dataset"]["schemaArn"] == new
