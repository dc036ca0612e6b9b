"""PutItems, PutUsers, PutActions and PutActionInteractions through boto3 on both doors."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError
from realtime_samples import Group, error_of, status_of

from personalize_emulator.resources import realtime


def item(item_id: str, **props) -> dict:
    return {"itemId": item_id, "properties": json.dumps(props)}


def test_put_items_replaces_same_id(aws, group, events):
    items = group.datasets["Items"]
    events.put_items(datasetArn=items, items=[
        item("a", genres="Comedy|Drama", price=9.99, creationTimestamp=1700000000),
        item("b", genres="Horror"),
    ])  # fmt: skip
    events.put_items(datasetArn=items, items=[item("a", genres="Action", price=5)])
    table = group.table(aws, "Items")
    current = {r["ITEM_ID"]: r for r in table.read_arrow("ALL").to_pylist()}
    assert set(current) == {"a", "b"}
    assert current["a"]["GENRES"] == "Action" and current["a"]["PRICE"] == 5.0
    assert current["a"]["CREATION_TIMESTAMP"] is None
    assert current["b"]["GENRES"] == "Horror"
    assert len(table.read_arrow("PUT", newest_per_id=False)) == 3


def expect_error(call, code: str, status: int, *fragments: str) -> None:
    with pytest.raises(ClientError) as exc:
        call()
    got_code, message = error_of(exc)
    assert (got_code, status_of(exc)) == (code, status), message
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("records", "fragments"),
    [
        ([item("a", genres="x"), item("b", colour="red")], ("item 2", "'colour'")),
        ([item("a", genres="x"), item("b", price=1.0)], ("item 2", "GENRES", "'genres'")),
        ([item("a", genres="x", price="cheap")], ("item 1, column PRICE",)),
        ([item("a", genres="x", itemId="b")], ("item 1", "'itemId'")),
        ([{"itemId": "a", "properties": "{"}], ("item 1", "JSON")),
    ],
)
def test_bad_item_stores_nothing(aws, group, events, records, fragments):
    expect_error(
        lambda: events.put_items(datasetArn=group.datasets["Items"], items=records),
        "InvalidInputException", 400, *fragments,
    )  # fmt: skip
    assert group.rows(aws, "Items") == []


def test_wrong_unknown_and_inactive_datasets(aws, group, events):
    expect_error(
        lambda: events.put_items(datasetArn=group.datasets["Users"], items=[item("a")]),
        "InvalidInputException", 400, "is a Users dataset",
    )  # fmt: skip
    missing = group.datasets["Items"].replace("dataset/shop/", "dataset/nope/")
    expect_error(
        lambda: events.put_items(datasetArn=missing, items=[item("a", genres="x")]),
        "ResourceNotFoundException", 404, missing,
    )  # fmt: skip
    dataset = aws.store().records["dataset"][group.datasets["Items"]]
    dataset.status = "CREATE IN_PROGRESS"
    try:
        expect_error(
            lambda: events.put_items(datasetArn=group.datasets["Items"],
                                     items=[item("a", genres="x")]),
            "ResourceInUseException", 409, "CREATE IN_PROGRESS",
        )  # fmt: skip
    finally:
        dataset.status = "ACTIVE"
    assert group.rows(aws, "Items") == []


def test_put_users(aws, group, events):
    users = group.datasets["Users"]
    events.put_users(datasetArn=users, users=[
        {"userId": "u1", "properties": json.dumps({"age": 31, "tier": "gold"})},
        {"userId": "u2"},
    ])  # fmt: skip
    rows = {r["USER_ID"]: r for r in group.rows(aws, "Users")}
    assert rows["u1"] == {"USER_ID": "u1", "AGE": 31, "TIER": "gold"}
    assert rows["u2"] == {"USER_ID": "u2", "AGE": None, "TIER": None}
    expect_error(
        lambda: events.put_users(datasetArn=users,
                                 users=[{"userId": "u3", "properties": '{"age": 1.5}'}]),
        "InvalidInputException", 400, "user 1, column AGE",
    )  # fmt: skip


def test_put_actions_and_action_interactions(aws, personalize, events):
    g = Group.create(aws, personalize, "nba", ("Interactions", "Actions", "Action_Interactions"))
    events.put_actions(datasetArn=g.datasets["Actions"],
                       actions=[{"actionId": "a1", "properties": '{"value": 3}'}])  # fmt: skip
    assert g.rows(aws, "Actions") == [{"ACTION_ID": "a1", "VALUE": 3}]
    tracking = personalize.describe_dataset(datasetArn=g.datasets["Action_Interactions"])[
        "dataset"
    ]["trackingId"]
    when = datetime(2024, 1, 1, tzinfo=timezone.utc)
    events.put_action_interactions(trackingId=tracking, actionInteractions=[
        {"actionId": "a1", "userId": "u1", "sessionId": "s1", "timestamp": when,
         "eventType": "Taken"},
        {"actionId": "a1", "sessionId": "s2", "timestamp": when, "eventType": "Viewed"},
    ])  # fmt: skip
    assert [(r["USER_ID"], r["EVENT_TYPE"]) for r in g.rows(aws, "Action_Interactions")] == [
        ("u1", "Taken"), ("s2", "Viewed"),
    ]  # fmt: skip
    store = aws.store()
    assert realtime.session_events(store, g.arn, "u1") == []  # item events only by default
    [taken] = realtime.session_events(store, g.arn, "u1", kind="action")
    assert (taken.item_id, taken.event_type) == ("a1", "Taken")
    assert realtime.user_interactions(store, g.arn, "s2", kind="action") == [
        ("a1", "Viewed", when.timestamp())
    ]
    expect_error(
        lambda: events.put_action_interactions(trackingId="not-a-tracker", actionInteractions=[
            {"actionId": "a1", "sessionId": "s", "timestamp": when, "eventType": "Taken"}]),
        "ResourceNotFoundException", 404, "not-a-tracker",
    )  # fmt: skip
    expect_error(
        lambda: events.put_action_interactions(trackingId=tracking, actionInteractions=[
            {"actionId": "a2", "sessionId": "s", "timestamp": when, "eventType": "Taken"},
            {"actionId": "a3", "sessionId": "s", "timestamp": when, "eventType": "Taken",
             "properties": '{"sessionId": "x"}'}]),
        "InvalidInputException", 400, "action interaction 2",
    )  # fmt: skip
    assert len(g.rows(aws, "Action_Interactions")) == 2
