"""Preview-dialect event trackers, over the GA event-tracker handlers.

The preview required a ``roleArn`` (the role the service assumed to write events); GA dropped
it. The role is kept beside the GA record and echoed by the preview DescribeEventTracker.
"""

from __future__ import annotations

from ..store import Store
from .preview_common import extras, ga, pick, preview, preview_list, set_extras

KIND = "event-tracker"
SUMMARY = ("name", "eventTrackerArn", "status", "creationDateTime", "lastUpdatedDateTime")
TRACKER = (*SUMMARY, "accountId", "trackingId", "datasetGroupArn")


@preview("CreateEventTracker")
def create_event_tracker(store: Store, *, name: str, roleArn: str, datasetGroupArn: str) -> dict:
    out = ga("CreateEventTracker", store, name=name, datasetGroupArn=datasetGroupArn)
    arn = out["eventTrackerArn"]
    with store.lock:
        record = store.records[KIND].get(arn)
        if record is not None:
            set_extras(store, record, roleArn=roleArn)
    return pick(out, ("eventTrackerArn", "trackingId"))


@preview("DescribeEventTracker")
def describe_event_tracker(store: Store, *, eventTrackerArn: str) -> dict:
    out = pick(ga("DescribeEventTracker", store, eventTrackerArn=eventTrackerArn)["eventTracker"],
               TRACKER)  # fmt: skip
    with store.lock:
        record = store.records[KIND].get(eventTrackerArn)
        role = extras(store, record).get("roleArn") if record is not None else None
    return {"eventTracker": {**out, "roleArn": role}}


list_event_trackers = preview_list("ListEventTrackers", "eventTrackers", SUMMARY)

@preview("DeleteEventTracker")
def delete_event_tracker(store: Store, *, eventTrackerArn: str) -> None:
    ga("DeleteEventTracker", store, eventTrackerArn=eventTrackerArn)
