"""PutEvents through boto3 on both doors: rows in the Interactions table, the real-time buffer,
and calls that fail storing nothing."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError
from realtime_samples import Group, avro, error_of, status_of

from personalize_emulator.resources import realtime

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
EPOCH0 = int(T0.timestamp())


def event(item: str, seconds: int = 0, event_type: str = "click", **extra) -> dict:
    return {"eventType": event_type, "itemId": item,
            "sentAt": datetime.fromtimestamp(EPOCH0 + seconds, timezone.utc), **extra}  # fmt: skip


def test_events_land_in_table_and_buffer(aws, group, events):
    events.put_events(
        trackingId=group.tracking_id,
        userId="u1",
        sessionId="s1",
        eventList=[
            event("i1", 0, properties=json.dumps({"device": "phone", "rating": 4})),
            event("i2", 60, "purchase", eventValue=9.5, impression=["i2", "i3", "i4"],
                  recommendationId="RID-1",
                  metricAttribution={"eventAttributionSource": "email"}),
        ],
    )  # fmt: skip
    rows = group.rows(aws, "Interactions", "PUT")
    assert rows == [
        {"USER_ID": "u1", "ITEM_ID": "i1", "TIMESTAMP": EPOCH0, "EVENT_TYPE": "click",
         "EVENT_VALUE": None, "IMPRESSION": None, "RECOMMENDATION_ID": None,
         "EVENT_ATTRIBUTION_SOURCE": None, "DEVICE": "phone", "RATING": 4},
        {"USER_ID": "u1", "ITEM_ID": "i2", "TIMESTAMP": EPOCH0 + 60, "EVENT_TYPE": "purchase",
         "EVENT_VALUE": 9.5, "IMPRESSION": "i2|i3|i4", "RECOMMENDATION_ID": "RID-1",
         "EVENT_ATTRIBUTION_SOURCE": "email", "DEVICE": None, "RATING": None},
    ]  # fmt: skip
    assert group.rows(aws, "Interactions", "BULK") == []
    seen = realtime.session_events(aws.store(), group.arn, user_id="u1")
    assert [(e.item_id, e.event_type, e.event_value, e.timestamp) for e in seen] == [
        ("i1", "click", None, EPOCH0),
        ("i2", "purchase", 9.5, EPOCH0 + 60),
    ]
    assert realtime.session_events(aws.store(), group.arn, session_id="s1") == seen
    assert realtime.session_events(aws.store(), group.arn, user_id="someone-else") == []
    assert realtime.user_interactions(aws.store(), group.arn, "u1") == [
        ("i1", "click", EPOCH0),
        ("i2", "purchase", EPOCH0 + 60),
    ]


def test_since_keeps_events_received_later(aws, group, events):
    events.put_events(trackingId=group.tracking_id, userId="u", sessionId="s",
                      eventList=[event("old")])  # fmt: skip
    cut = realtime.now()
    events.put_events(trackingId=group.tracking_id, userId="u", sessionId="s",
                      eventList=[event("new", -3600)])  # fmt: skip
    store = aws.store()
    assert [e.item_id for e in realtime.session_events(store, group.arn, "u")] == ["new", "old"]
    assert [e.item_id for e in realtime.session_events(store, group.arn, "u", since=cut)] == [
        "new"
    ]


def test_anonymous_session_uses_session_id_as_user(aws, group, events):
    events.put_events(trackingId=group.tracking_id, sessionId="anon-7",
                      eventList=[event("i1"), event("i2", 5)])  # fmt: skip
    events.put_events(trackingId=group.tracking_id, sessionId="anon-7", userId="known",
                      eventList=[event("i3", 10)])  # fmt: skip
    rows = group.rows(aws, "Interactions")
    assert [(r["USER_ID"], r["ITEM_ID"]) for r in rows] == [
        ("anon-7", "i1"), ("anon-7", "i2"), ("known", "i3"),
    ]  # fmt: skip
    store = aws.store()
    assert [e.item_id for e in realtime.session_events(store, group.arn, "anon-7")] == ["i1", "i2"]
    by_session = realtime.session_events(store, group.arn, session_id="anon-7")
    assert [e.item_id for e in by_session] == ["i1", "i2", "i3"]
    assert [e.item_id for e in realtime.session_events(store, group.arn, "known")] == ["i3"]


def test_duplicates_are_stored_once(aws, group, events):
    twice = [event("i1", eventId="e-1"), event("i1", eventId="e-1")]
    events.put_events(trackingId=group.tracking_id, userId="u", sessionId="s", eventList=twice)
    events.put_events(trackingId=group.tracking_id, userId="u", sessionId="s",
                      eventList=[event("i9", 99, eventId="e-1")])  # fmt: skip
    events.put_events(trackingId=group.tracking_id, userId="u", sessionId="s",
                      eventList=[event("i1")])  # same content, no eventId  # fmt: skip
    assert [r["ITEM_ID"] for r in group.rows(aws, "Interactions")] == ["i1"]
    assert len(realtime.session_events(aws.store(), group.arn, "u")) == 1


def assert_nothing_stored(aws, group):
    assert group.rows(aws, "Interactions") == []
    assert realtime.session_events(aws.store(), group.arn, "u", "s") == []


def put(events, group, event_list, **kw):
    with pytest.raises(ClientError) as exc:
        events.put_events(trackingId=kw.pop("tracking_id", group.tracking_id), userId="u",
                          sessionId="s", eventList=event_list)  # fmt: skip
    return exc


def test_more_than_ten_events(aws, group, events):
    exc = put(events, group, [event(f"i{k}", k) for k in range(11)])
    code, message = error_of(exc)
    assert (code, status_of(exc)) == ("InvalidInputException", 400)
    assert "eventList" in message
    assert_nothing_stored(aws, group)


def test_properties_not_json_names_the_event(aws, group, events):
    exc = put(events, group, [event("i1"), event("i2", properties="{not json")])
    code, message = error_of(exc)
    assert code == "InvalidInputException"
    assert "event 2" in message and "JSON" in message
    assert_nothing_stored(aws, group)
    exc = put(events, group, [event("i1", properties='["a"]')])
    assert "event 1: properties must be a JSON object" in error_of(exc)[1]


def test_unknown_tracking_id(aws, group, events):
    exc = put(events, group, [event("i1")], tracking_id="00000000-0000-0000-0000-000000000000")
    code, message = error_of(exc)
    assert (code, status_of(exc)) == ("InvalidInputException", 400)
    assert "00000000-0000-0000-0000-000000000000" in message
    assert_nothing_stored(aws, group)


@pytest.mark.parametrize(
    ("properties", "fragment"),
    [
        ({"colour": "red"}, "'colour' does not match a field"),
        ({"rating": "four"}, "column RATING"),
        ({"userId": "x"}, "may not contain the key 'userId'"),
        ({"Timestamp": 5}, "may not contain the key 'Timestamp'"),
        ({"itemId": "other"}, "may not contain the key 'itemId'"),
    ],
)
def test_schema_breaking_event_stores_nothing(aws, group, events, properties, fragment):
    exc = put(events, group, [event("i1"), event("i2", properties=json.dumps(properties))])
    code, message = error_of(exc)
    assert code == "InvalidInputException"
    assert "event 2" in message and fragment in message
    assert_nothing_stored(aws, group)


def test_item_id_may_travel_in_properties(aws, group, events):
    events.put_events(trackingId=group.tracking_id, userId="u", sessionId="s",
                      eventList=[{"eventType": "click", "sentAt": T0,
                                  "properties": json.dumps({"itemId": "from-props"})}])  # fmt: skip
    assert [r["ITEM_ID"] for r in group.rows(aws, "Interactions")] == ["from-props"]
    assert realtime.session_events(aws.store(), group.arn, "u")[0].item_id == "from-props"


def test_event_without_item_fails(aws, group, events):
    exc = put(events, group, [{"eventType": "click", "sentAt": T0}])
    assert "event 1 has no value for ITEM_ID" in error_of(exc)[1]
    assert_nothing_stored(aws, group)


def test_group_without_interactions_dataset(aws, personalize, events):
    bare = Group.create(aws, personalize, "bare", ("Items",), tracker=True)
    with pytest.raises(ClientError) as exc:
        events.put_events(trackingId=bare.tracking_id, sessionId="s", eventList=[event("i1")])
    code, message = error_of(exc)
    assert code == "InvalidInputException"
    assert "has no Interactions dataset" in message


def test_schema_without_event_type_drops_it(aws, personalize, events):
    minimal = avro(
        "Interactions", ("USER_ID", "string"), ("ITEM_ID", "string"), ("TIMESTAMP", "long")
    )
    plain = Group.create(aws, personalize, "plain", ("Interactions",), tracker=True,
                         schemas={"Interactions": minimal})  # fmt: skip
    events.put_events(trackingId=plain.tracking_id, sessionId="s", eventList=[event("i1")])
    assert plain.rows(aws, "Interactions") == [
        {"USER_ID": "s", "ITEM_ID": "i1", "TIMESTAMP": EPOCH0}
    ]


def test_recreated_dataset_starts_without_events(aws, personalize, events):
    g = Group.create(aws, personalize, "again", ("Interactions",), tracker=True)
    events.put_events(trackingId=g.tracking_id, userId="u", sessionId="s", eventList=[event("i1")])
    personalize.delete_event_tracker(eventTrackerArn=g.tracker_arn)
    schema = personalize.describe_dataset(datasetArn=g.datasets["Interactions"])["dataset"][
        "schemaArn"
    ]
    personalize.delete_dataset(datasetArn=g.datasets["Interactions"])
    personalize.delete_schema(schemaArn=schema)
    assert realtime.session_events(aws.store(), g.arn, "u") == []
    personalize.delete_dataset_group(datasetGroupArn=g.arn)
    again = Group.create(aws, personalize, "again", ("Interactions",), tracker=True)
    assert again.arn == g.arn and again.datasets == g.datasets
    assert realtime.session_events(aws.store(), again.arn, "u") == []
    assert again.rows(aws, "Interactions") == []
