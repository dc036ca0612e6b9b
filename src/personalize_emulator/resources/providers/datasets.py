"""Datasets: CreateDataset, DescribeDataset, ListDatasets, UpdateDataset, DeleteDataset.

A dataset's ARN is ``dataset/{datasetGroupName}/{DATASET_TYPE}``, so a group holds at most one
dataset per type and a second one collides (ResourceAlreadyExists). ``datasetType`` is accepted
in any case and reported upper-case, as the ARN spells it. Dataset names are not part of the
ARN and are not required to be unique (the sources are silent; uniqueness comes from the ARN).

UpdateDataset replaces an Items or Users dataset's schema with one that keeps every existing
field unchanged and adds only nullable fields; its progress shows in ``latestDatasetUpdate``
(absent until the first update) and the dataset's ``schemaArn`` changes when it completes.

DeleteDataset drops the dataset's imported rows (``datastore.drop_table``) while it is
DELETE IN_PROGRESS.
"""

from __future__ import annotations

import uuid
from typing import Any

from ...data.schemas import SchemaError, check_schema_for_dataset, parse_schema
from ...protocol.errors import InvalidInputException, ResourceInUseException
from .. import arns, lifecycle
from ..common import (
    active_group,
    ensure_deletable,
    ensure_new,
    get_record,
    list_operation,
    no_work,
    start_create,
    start_delete,
    status_summary,
    tags_from_wire,
)
from ..datastore import drop_table
from ..handlers import handler
from ..jobs import runner_for
from ..records import DatasetGroupRecord, DatasetRecord, DatasetUpdate, SchemaRecord
from ..store import Store

KIND = "dataset"
# Wire/ARN spelling -> the data room's spelling of dataset types.
TYPE_NAMES = {
    "INTERACTIONS": "Interactions",
    "ITEMS": "Items",
    "USERS": "Users",
    "ACTIONS": "Actions",
    "ACTION_INTERACTIONS": "Action_Interactions",
}
UPDATABLE_TYPES = ("ITEMS", "USERS")


def _summary(r: DatasetRecord) -> dict[str, Any]:
    return {
        **status_summary(r, "datasetArn", failure=False),
        "datasetType": r.dataset_type,
    }


def _update_summary(u: DatasetUpdate | None) -> dict[str, Any] | None:
    if u is None:
        return None
    return {
        "schemaArn": u.schema_arn,
        "status": u.status,
        "failureReason": u.failure_reason,
        "creationDateTime": u.created,
        "lastUpdatedDateTime": u.updated,
    }


def _fit(schema: SchemaRecord, dataset_type: str, group: DatasetGroupRecord) -> Any:
    """Parse ``schema`` and check it can back a ``dataset_type`` dataset of ``group``."""
    if schema.domain != group.domain:
        if group.domain is None:
            why = f"is a {schema.domain} domain schema and the dataset group is a Custom group"
        elif schema.domain is None:
            why = f"has no domain and the dataset group is a {group.domain} domain group"
        else:
            why = f"is for the {schema.domain} domain, the dataset group for {group.domain}"
        raise InvalidInputException(f"Schema {schema.arn} {why}.")
    try:
        parsed = parse_schema(schema.schema, schema.domain)
        check_schema_for_dataset(parsed, TYPE_NAMES[dataset_type], group.domain)
    except SchemaError as exc:
        raise InvalidInputException(str(exc)) from exc
    return parsed


@handler("personalize", "CreateDataset")
def create_dataset(
    store: Store,
    *,
    name: str,
    schemaArn: str,
    datasetGroupArn: str,
    datasetType: str,
    tags: list[dict[str, str]] | None = None,
) -> dict:
    dataset_type = datasetType.upper()
    if dataset_type not in TYPE_NAMES:
        raise InvalidInputException(
            f"Invalid parameter datasetType: {datasetType!r} is not one of "
            f"{', '.join(TYPE_NAMES.values())}."
        )
    checked_tags = tags_from_wire(tags)
    with store.lock:
        group: DatasetGroupRecord = active_group(store, datasetGroupArn, "datasets")
        schema: SchemaRecord = get_record(store, "schema", schemaArn, "schemaArn")
        if group.domain and dataset_type in ("ACTIONS", "ACTION_INTERACTIONS"):
            raise InvalidInputException(
                f"{TYPE_NAMES[dataset_type]} datasets cannot be created in a Domain dataset"
                f" group ({group.domain})."
            )
        arn = arns.build(
            KIND, group.name, dataset_type, region=store.region, account=store.account_id
        )
        ensure_new(store, KIND, arn)
        _fit(schema, dataset_type, group)
        record = DatasetRecord(
            arn=arn,
            name=name,
            dataset_group_arn=datasetGroupArn,
            dataset_type=dataset_type,
            schema_arn=schemaArn,
            tracking_id=str(uuid.uuid4()) if dataset_type == "ACTION_INTERACTIONS" else None,
        )
        start_create(store, KIND, record, checked_tags)
    return {"datasetArn": arn}


@handler("personalize", "DescribeDataset")
def describe_dataset(store: Store, *, datasetArn: str) -> dict:
    with store.lock:
        r: DatasetRecord = get_record(store, KIND, datasetArn, "datasetArn")
        return {
            "dataset": {
                **_summary(r),
                "datasetGroupArn": r.dataset_group_arn,
                "schemaArn": r.schema_arn,
                "latestDatasetUpdate": _update_summary(r.latest_update),
                "trackingId": r.tracking_id,
            }
        }


list_datasets = list_operation(
    "ListDatasets", KIND, "datasets", _summary, ("datasetGroupArn", "dataset-group")
)


@handler("personalize", "UpdateDataset")
def update_dataset(store: Store, *, datasetArn: str, schemaArn: str) -> dict:
    with store.lock:
        dataset: DatasetRecord = get_record(store, KIND, datasetArn, "datasetArn")
        schema: SchemaRecord = get_record(store, "schema", schemaArn, "schemaArn")
        if dataset.dataset_type not in UPDATABLE_TYPES:
            raise InvalidInputException(
                f"The schema of a {TYPE_NAMES[dataset.dataset_type]} dataset cannot be replaced;"
                " only Items and Users datasets can be updated."
            )
        if dataset.status != lifecycle.ACTIVE or (
            dataset.latest_update is not None
            and lifecycle.is_in_progress(dataset.latest_update.status)
        ):
            raise ResourceInUseException(
                f"Dataset {datasetArn} is being created, deleted or updated; try again when it"
                " is ACTIVE."
            )
        group: DatasetGroupRecord = store.records["dataset-group"][dataset.dataset_group_arn]
        new = _fit(schema, dataset.dataset_type, group)
        old = parse_schema(store.records["schema"][dataset.schema_arn].schema, group.domain)
        _check_compatible(old, new)
        update = DatasetUpdate(schema_arn=schemaArn)
        dataset.latest_update = update

        def switch_schema(_: object) -> None:
            dataset.schema_arn = schemaArn
            dataset.touch()

        runner_for(store).submit(dataset, no_work, path="update", target=update,
                                 on_success=switch_schema)  # fmt: skip
    return {"datasetArn": datasetArn}


def _check_compatible(old: Any, new: Any) -> None:
    """A replacement schema keeps every field as it was and adds only nullable fields."""
    for field in old.fields:
        replacement = new.field(field.name)
        if replacement is None:
            raise InvalidInputException(
                f"The new schema drops field {field.name}; an updated schema must keep every"
                " field of the current one."
            )
        if replacement != field:
            raise InvalidInputException(
                f"The new schema changes field {field.name}; existing fields must keep their"
                " type and attributes."
            )
    for field in new.fields:
        if old.field(field.name) is None and not field.nullable:
            raise InvalidInputException(
                f"The new schema adds field {field.name} which is not nullable; added fields"
                ' must allow null (e.g. "type": ["null", "string"]).'
            )


@handler("personalize", "DeleteDataset")
def delete_dataset(store: Store, *, datasetArn: str) -> None:
    with store.lock:
        record: DatasetRecord = get_record(store, KIND, datasetArn, "datasetArn")
        ensure_deletable(record)
        group = record.dataset_group_arn
        busy = [
            r.arn
            for r in store.records["dataset-import-job"].values()
            if getattr(r, "dataset_arn", None) == datasetArn and _creating(r)
        ] + [
            r.arn
            for kind in ("solution-version", "recommender")
            for r in store.records[kind].values()
            if _group_of(store, r) == group and _creating(r)
        ]
        if busy:
            raise ResourceInUseException(
                f"Dataset {datasetArn} cannot be deleted while {', '.join(sorted(busy))}"
                " is being created."
            )
        start_delete(store, record, lambda: drop_table(store, record))


def _group_of(store: Store, record: Any) -> str | None:
    """The dataset group a record belongs to, directly or through its solution."""
    group = getattr(record, "dataset_group_arn", None)
    if group is None and getattr(record, "solution_arn", None):
        solution = store.records["solution"].get(record.solution_arn)
        group = getattr(solution, "dataset_group_arn", None)
    return group


def _creating(record: Any) -> bool:
    return getattr(record, "status", None) in (
        lifecycle.CREATE_PENDING,
        lifecycle.CREATE_IN_PROGRESS,
    )
