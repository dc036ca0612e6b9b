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

from ...protocol.errors import ResourceAlreadyExistsException, ResourceInUseException
from .. import arns, lifecycle
from ..common import (
    ensure_deletable,
    ensure_new,
    get_record,
    list_page,
    status_summary,
    store_create_tags,
    tags_from_wire,
)
from ..handlers import handler
from ..jobs import runner_for
from ..realtime_records import EventTrackerRecord
from ..store import Store

KIND = "event-tracker"


def _no_work(ctx: Any) -> None:
    """Creating or deleting a tracker is bookkeeping; the status walk is the whole job."""


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
        group = get_record(store, "dataset-group", datasetGroupArn, "datasetGroupArn")
        if group.status != lifecycle.ACTIVE:
            raise ResourceInUseException(
                f"Dataset group {datasetGroupArn} is in {group.status} state; event trackers"
                " can only be created for an ACTIVE dataset group."
            )
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
        store.records[KIND][arn] = record
        store_create_tags(store, arn, checked_tags)
        runner_for(store).submit(record, _no_work)
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


@handler("personalize", "ListEventTrackers")
def list_event_trackers(
    store: Store,
    *,
    datasetGroupArn: str | None = None,
    nextToken: str | None = None,
    maxResults: int | None = None,
) -> dict:
    return list_page(
        store, KIND, "eventTrackers", nextToken, maxResults, render=_summary,
        parent=("datasetGroupArn", "dataset-group", datasetGroupArn),
    )  # fmt: skip


@handler("personalize", "DeleteEventTracker")
def delete_event_tracker(store: Store, *, eventTrackerArn: str) -> None:
    with store.lock:
        record = get_record(store, KIND, eventTrackerArn, "eventTrackerArn")
        ensure_deletable(record)
        runner_for(store).submit(record, _no_work, path="delete")
