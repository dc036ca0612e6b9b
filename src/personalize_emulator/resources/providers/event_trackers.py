"""Event trackers: CreateEventTracker, DescribeEventTracker, ListEventTrackers, DeleteEventTracker.

A tracker hands out the ``trackingId`` (a UUID) PutEvents names. A dataset group holds at most
one tracker; the model says only that a second one is "an error" without naming it
(api-surface §10.3). We answer ``ResourceAlreadyExistsException``: the conflict is with an
existing resource, not with one that is busy. The group must be ACTIVE
(``ResourceInUseException`` otherwise, as for CreateDataset).

Deleting a tracker is always allowed once it is ACTIVE or failed; the interactions it
delivered stay in the Interactions dataset and in the real-time buffer.
"""

from __future__ import annotations

import uuid
from typing import Any

from ...protocol.errors import ResourceAlreadyExistsException
from .. import arns, lifecycle
from ..common import (
    active_group,
    ensure_deletable,
    ensure_new,
    get_record,
    list_operation,
    start_create,
    start_delete,
    status_summary,
    tags_from_wire,
)
from ..handlers import handler
from ..realtime_records import EventTrackerRecord
from ..store import Store

KIND = "event-tracker"


def _summary(r: EventTrackerRecord) -> dict[str, Any]:
    return status_summary(r, "eventTrackerArn", failure=False)


def tracker_by_tracking_id(store: Store, tracking_id: str) -> EventTrackerRecord | None:
    """The tracker whose ``trackingId`` this is (call with ``store.lock`` held)."""
    for record in store.records[KIND].values():
        if record.tracking_id == tracking_id:
            return record
    return None


@handler("personalize", "CreateEventTracker")
def create_event_tracker(
    store: Store,
    *,
    name: str,
    datasetGroupArn: str,
    tags: list[dict[str, str]] | None = None,
) -> dict:
    checked_tags = tags_from_wire(tags)
    arn = arns.build(KIND, name, region=store.region, account=store.account_id)
    with store.lock:
        active_group(store, datasetGroupArn, "event trackers")
        ensure_new(store, KIND, arn)
        existing = [
            r.arn for r in store.records[KIND].values() if r.dataset_group_arn == datasetGroupArn
        ]
        if existing:
            raise ResourceAlreadyExistsException(
                f"Dataset group {datasetGroupArn} already has an event tracker ({existing[0]});"
                " a dataset group can have only one."
            )
        record = EventTrackerRecord(
            arn=arn,
            name=name,
            dataset_group_arn=datasetGroupArn,
            tracking_id=str(uuid.uuid4()),
            account_id=store.account_id,
            status=lifecycle.CREATE_PENDING,
        )
        start_create(store, KIND, record, checked_tags)
    return {"eventTrackerArn": arn, "trackingId": record.tracking_id}


@handler("personalize", "DescribeEventTracker")
def describe_event_tracker(store: Store, *, eventTrackerArn: str) -> dict:
    with store.lock:
        r: EventTrackerRecord = get_record(store, KIND, eventTrackerArn, "eventTrackerArn")
        return {
            "eventTracker": {
                **_summary(r),
                "accountId": r.account_id,
                "trackingId": r.tracking_id,
                "datasetGroupArn": r.dataset_group_arn,
            }
        }


list_event_trackers = list_operation(
    "ListEventTrackers", KIND, "eventTrackers", _summary, ("datasetGroupArn", "dataset-group")
)


@handler("personalize", "DeleteEventTracker")
def delete_event_tracker(store: Store, *, eventTrackerArn: str) -> None:
    with store.lock:
        record = get_record(store, KIND, eventTrackerArn, "eventTrackerArn")
        ensure_deletable(record)
        start_delete(store, record)
