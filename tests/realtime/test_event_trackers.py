"""Event trackers through boto3 on both doors."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError
from realtime_samples import ACCOUNT, Group, error_of


def test_lifecycle(aws, personalize):
    group = Group.create(aws, personalize, "movies", ("Interactions",))
    out = personalize.create_event_tracker(name="clicks", datasetGroupArn=group.arn)
    arn = out["eventTrackerArn"]
    assert arn == f"arn:aws:personalize:us-east-1:{ACCOUNT}:event-tracker/clicks"
    assert str(uuid.UUID(out["trackingId"])) == out["trackingId"]
    tracker = personalize.describe_event_tracker(eventTrackerArn=arn)["eventTracker"]
    assert tracker["status"] == "ACTIVE"
    assert tracker["accountId"] == ACCOUNT
    assert tracker["trackingId"] == out["trackingId"]
    assert tracker["datasetGroupArn"] == group.arn
    [summary] = personalize.list_event_trackers(datasetGroupArn=group.arn)["eventTrackers"]
    assert summary["eventTrackerArn"] == arn and summary["status"] == "ACTIVE"
    assert "trackingId" not in summary
    personalize.delete_event_tracker(eventTrackerArn=arn)
    assert personalize.list_event_trackers()["eventTrackers"] == []
    with pytest.raises(ClientError) as exc:
        personalize.describe_event_tracker(eventTrackerArn=arn)
    assert error_of(exc) == ("ResourceNotFoundException", f"Resource Arn {arn} does not exist.")


def test_one_tracker_per_group(aws, personalize):
    group = Group.create(aws, personalize, "movies", ("Interactions",))
    first = personalize.create_event_tracker(name="one", datasetGroupArn=group.arn)
    with pytest.raises(ClientError) as exc:
        personalize.create_event_tracker(name="two", datasetGroupArn=group.arn)
    code, message = error_of(exc)
    assert code == "ResourceAlreadyExistsException"
    assert first["eventTrackerArn"] in message
    assert [t["name"] for t in personalize.list_event_trackers()["eventTrackers"]] == ["one"]


def test_name_taken_and_group_missing(aws, personalize):
    a = Group.create(aws, personalize, "a", ())
    b = Group.create(aws, personalize, "b", ())
    personalize.create_event_tracker(name="t", datasetGroupArn=a.arn)
    with pytest.raises(ClientError) as exc:
        personalize.create_event_tracker(name="t", datasetGroupArn=b.arn)
    assert error_of(exc)[0] == "ResourceAlreadyExistsException"
    missing = a.arn.replace("dataset-group/a", "dataset-group/nope")
    with pytest.raises(ClientError) as exc:
        personalize.create_event_tracker(name="u", datasetGroupArn=missing)
    assert error_of(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        personalize.create_event_tracker(name="u", datasetGroupArn=a.arn + "x/y")
    assert error_of(exc)[0] == "InvalidInputException"


def test_tracker_blocks_group_deletion(aws, personalize):
    group = Group.create(aws, personalize, "g", ())
    arn = personalize.create_event_tracker(name="t", datasetGroupArn=group.arn)["eventTrackerArn"]
    with pytest.raises(ClientError) as exc:
        personalize.delete_dataset_group(datasetGroupArn=group.arn)
    assert error_of(exc)[0] == "ResourceInUseException"
    personalize.delete_event_tracker(eventTrackerArn=arn)
    personalize.delete_dataset_group(datasetGroupArn=group.arn)


def test_list_by_group_and_pages(aws, personalize):
    groups = [Group.create(aws, personalize, f"g{i}", ()) for i in range(3)]
    for i, g in enumerate(groups):
        personalize.create_event_tracker(name=f"t{i}", datasetGroupArn=g.arn)
    only = personalize.list_event_trackers(datasetGroupArn=groups[1].arn)["eventTrackers"]
    assert [t["name"] for t in only] == ["t1"]
    page = personalize.list_event_trackers(maxResults=2)
    rest = personalize.list_event_trackers(maxResults=2, nextToken=page["nextToken"])
    names = [t["name"] for t in page["eventTrackers"] + rest["eventTrackers"]]
    assert sorted(names) == ["t0", "t1", "t2"] and "nextToken" not in rest
