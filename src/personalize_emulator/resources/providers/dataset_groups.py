"""Dataset groups: CreateDatasetGroup, DescribeDatasetGroup, ListDatasetGroups, DeleteDatasetGroup.

A group is ACTIVE as soon as CreateDatasetGroup returns in sync job mode; in async mode it
walks CREATE PENDING -> CREATE IN_PROGRESS -> ACTIVE. Deleting walks the runner's delete path
(DELETE PENDING -> DELETE IN_PROGRESS) before the group disappears, and is refused while the
group still holds datasets, solutions, event trackers or recommenders.
"""

from __future__ import annotations

from typing import Any

from ...protocol.errors import InvalidInputException, ResourceInUseException
from .. import arns
from ..common import (
    children,
    ensure_deletable,
    ensure_new,
    get_record,
    list_operation,
    remove,
    start_create,
    start_delete,
    status_summary,
    tags_from_wire,
)
from ..handlers import handler
from ..records import DatasetGroupRecord
from ..store import Store

KIND = "dataset-group"
# Kinds whose records block deleting their group, with how the message names them.
BLOCKING_CHILDREN = {
    "dataset": "datasets",
    "solution": "solutions",
    "event-tracker": "event trackers",
    "recommender": "recommenders",
}


def _summary(r: DatasetGroupRecord) -> dict[str, Any]:
    return {
        **status_summary(r, "datasetGroupArn"),
        "domain": r.domain,
    }


@handler("personalize", "CreateDatasetGroup")
def create_dataset_group(
    store: Store,
    *,
    name: str,
    roleArn: str | None = None,
    kmsKeyArn: str | None = None,
    domain: str | None = None,
    tags: list[dict[str, str]] | None = None,
) -> dict:
    if roleArn and not kmsKeyArn:
        raise InvalidInputException(
            "Invalid parameter roleArn: a role is only valid together with kmsKeyArn."
        )
    checked_tags = tags_from_wire(tags)
    arn = arns.build(KIND, name, region=store.region, account=store.account_id)
    with store.lock:
        ensure_new(store, KIND, arn)
        record = DatasetGroupRecord(
            arn=arn, name=name, domain=domain, role_arn=roleArn, kms_key_arn=kmsKeyArn
        )
        start_create(store, KIND, record, checked_tags)
    return {"datasetGroupArn": arn, "domain": domain}


@handler("personalize", "DescribeDatasetGroup")
def describe_dataset_group(store: Store, *, datasetGroupArn: str) -> dict:
    with store.lock:
        record: DatasetGroupRecord = get_record(store, KIND, datasetGroupArn, "datasetGroupArn")
        return {
            "datasetGroup": {
                **_summary(record),
                "roleArn": record.role_arn,
                "kmsKeyArn": record.kms_key_arn,
            }
        }


list_dataset_groups = list_operation("ListDatasetGroups", KIND, "datasetGroups", _summary)


@handler("personalize", "DeleteDatasetGroup")
def delete_dataset_group(store: Store, *, datasetGroupArn: str) -> None:
    with store.lock:
        record = get_record(store, KIND, datasetGroupArn, "datasetGroupArn")
        ensure_deletable(record)
        holding = [
            label
            for kind, label in BLOCKING_CHILDREN.items()
            if children(store, kind, dataset_group_arn=datasetGroupArn)
        ]
        if holding:
            raise ResourceInUseException(
                f"Dataset group {datasetGroupArn} still has {', '.join(holding)};"
                " delete them before deleting the dataset group."
            )
        start_delete(store, record, lambda: _drop_dependents(store, datasetGroupArn))


# Filters and metric attributions do not block the delete (the service lists only the kinds
# above); they go with their group.
DEPENDENTS = ("filter", "metric-attribution")


def _drop_dependents(store: Store, group_arn: str) -> None:
    with store.lock:
        for kind in DEPENDENTS:
            for dependent in children(store, kind, dataset_group_arn=group_arn):
                remove(store, kind, dependent.arn)
