"""Filters through boto3 on both doors, and the compiled filters the runtime applies."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError
from realtime_samples import ACCOUNT, Group, avro, error_of

from personalize_emulator.resources import realtime

COMEDY = 'INCLUDE ItemID WHERE Items.GENRES IN ("Comedy")'


def test_create_describe_list_delete(aws, personalize, group):
    arn = personalize.create_filter(name="comedies", datasetGroupArn=group.arn,
                                    filterExpression=COMEDY)["filterArn"]  # fmt: skip
    assert arn == f"arn:aws:personalize:us-east-1:{ACCOUNT}:filter/comedies"
    described = personalize.describe_filter(filterArn=arn)["filter"]
    assert described["status"] == "ACTIVE"
    assert described["filterExpression"] == COMEDY
    assert described["datasetGroupArn"] == group.arn
    listing = personalize.list_filters(datasetGroupArn=group.arn)
    assert [f["filterArn"] for f in listing["Filters"]] == [arn]
    assert "filterExpression" not in listing["Filters"][0]
    pages = personalize.get_paginator("list_filters").paginate(datasetGroupArn=group.arn)
    assert [f["name"] for page in pages for f in page["Filters"]] == ["comedies"]
    personalize.delete_filter(filterArn=arn)
    assert personalize.list_filters()["Filters"] == []
    with pytest.raises(ClientError) as exc:
        personalize.describe_filter(filterArn=arn)
    assert error_of(exc)[0] == "ResourceNotFoundException"


@pytest.mark.parametrize(
    ("expression", "fragments"),
    [
        ('INCLUDE ItemID WHERE Items.COLOR IN ("red")', ("Items.COLOR", "no field COLOR")),
        ('INCLUDE ItemID WHER Items.GENRES IN ("x")', ("position 15", "WHER")),
        ('EXCLUDE ItemID WHERE Items.DESCRIPTION IN ("x")', ("textual", "cannot be filtered")),
        ('INCLUDE ItemID WHERE Items.GENRES > 3', ("'>' compares numeric fields",)),
        ('INCLUDE ActionID WHERE Actions.VALUE > 3', ("Actions dataset", "lacks")),
    ],
)
def test_create_errors(aws, personalize, group, expression, fragments):
    with pytest.raises(ClientError) as exc:
        personalize.create_filter(name="bad", datasetGroupArn=group.arn,
                                  filterExpression=expression)  # fmt: skip
    code, message = error_of(exc)
    assert code == "InvalidInputException"
    for fragment in fragments:
        assert fragment in message, message
    assert personalize.list_filters()["Filters"] == []


def test_group_must_exist(aws, personalize, group):
    missing = group.arn.replace("/shop", "/none")
    with pytest.raises(ClientError) as exc:
        personalize.create_filter(name="f", datasetGroupArn=missing, filterExpression=COMEDY)
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_limits(aws, personalize, group):
    for k in range(10):
        personalize.create_filter(name=f"f{k}", datasetGroupArn=group.arn,
                                  filterExpression=COMEDY)  # fmt: skip
    with pytest.raises(ClientError) as exc:
        personalize.create_filter(name="f10", datasetGroupArn=group.arn, filterExpression=COMEDY)
    assert error_of(exc)[0] == "LimitExceededException"


def test_distinct_field_limit(aws, personalize):
    wide = avro("Items", ("ITEM_ID", "string"), *((f"C{k}", "int") for k in range(12)))
    g = Group.create(aws, personalize, "wide", ("Items",), schemas={"Items": wide})
    for k in range(4):  # fields C0..C7, two per filter
        personalize.create_filter(name=f"f{k}", datasetGroupArn=g.arn,
                                  filterExpression=f"EXCLUDE ItemID WHERE Items.C{2 * k} > 1"
                                  f" AND Items.C{2 * k + 1} < 5")  # fmt: skip
    reuse = "EXCLUDE ItemID WHERE Items.C0 > 2 OR Items.C7 < 1 OR Items.C8 = 3 OR Items.C9 = 3"
    personalize.create_filter(name="reuse", datasetGroupArn=g.arn, filterExpression=reuse)
    with pytest.raises(ClientError) as exc:
        personalize.create_filter(name="eleventh", datasetGroupArn=g.arn,
                                  filterExpression="EXCLUDE ItemID WHERE Items.C10 > 1")  # fmt: skip
    code, message = error_of(exc)
    assert code == "LimitExceededException" and "Items.C10" in message
    assert len(personalize.list_filters(datasetGroupArn=g.arn)["Filters"]) == 5


def seed(aws, group, events, personalize):
    events.put_items(datasetArn=group.datasets["Items"], items=[
        {"itemId": "a", "properties": json.dumps({"genres": "Comedy|Drama", "price": 5})},
        {"itemId": "b", "properties": json.dumps({"genres": "Horror", "price": 20})},
        {"itemId": "c", "properties": json.dumps({"genres": "Comedy", "price": 50})},
    ])  # fmt: skip
    events.put_users(datasetArn=group.datasets["Users"], users=[
        {"userId": "adult", "properties": json.dumps({"age": 40})},
        {"userId": "kid", "properties": json.dumps({"age": 9})},
    ])  # fmt: skip


def make(personalize, group, name, expression):
    return personalize.create_filter(name=name, datasetGroupArn=group.arn,
                                     filterExpression=expression)["filterArn"]  # fmt: skip


def test_compiled_filters_see_items_users_and_realtime_events(aws, personalize, group, events):
    seed(aws, group, events, personalize)
    store = aws.store()
    candidates = ["a", "b", "c", "unknown"]
    comedy = realtime.compile_filter(store, make(personalize, group, "comedy", COMEDY),
                                     dataset_group_arn=group.arn)  # fmt: skip
    assert comedy.mask(candidates).tolist() == [True, False, True, False]
    param = make(personalize, group, "param",
                 "INCLUDE ItemID WHERE Items.PRICE <= $MAX IF CurrentUser.AGE >= 18")
    compiled = realtime.compile_filter(store, param)
    assert compiled.mask(candidates, user_id="adult", filter_values={"MAX": "20"}).tolist() == [
        True, True, False, False,
    ]  # fmt: skip
    assert compiled.mask(candidates, user_id="kid", filter_values={"MAX": "20"}).all()
    with pytest.raises(Exception) as exc:
        compiled.mask(candidates, user_id="adult")
    assert type(exc.value).__name__ == "InvalidInputException" and "$MAX" in str(exc.value)

    seen = realtime.compile_filter(store, make(personalize, group, "unseen",
                                   'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")'))
    assert seen.mask(candidates, user_id="adult").all()
    events.put_events(trackingId=group.tracking_id, userId="adult", sessionId="s", eventList=[
        {"eventType": "click", "itemId": "c", "sentAt": datetime.now(timezone.utc)},
    ])  # fmt: skip
    assert seen.mask(candidates, user_id="adult").tolist() == [True, True, False, True]
    assert seen.mask(candidates, user_id="kid").all()


def test_imported_interactions_reach_filters(aws, personalize, group):
    group.bulk_import(aws, "Interactions",
                      "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,IMPRESSION,"
                      "RECOMMENDATION_ID,EVENT_ATTRIBUTION_SOURCE,DEVICE,RATING\n"
                      "u1,a,100,watch,,,,,,\nu2,b,100,watch,,,,,,\nu1,c,200,rate,,,,,,\n")
    store = aws.store()
    assert realtime.user_interactions(store, group.arn, "u1") == [
        ("a", "watch", 100.0), ("c", "rate", 200.0),
    ]  # fmt: skip
    watched = realtime.compile_filter(store, make(personalize, group, "w",
                                      'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("WATCH")'))
    assert watched.mask(["a", "b", "c"], user_id="u1").tolist() == [False, True, True]
    segment = realtime.compile_filter(store, make(personalize, group, "s",
                                      'INCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("rate")'))
    assert segment.mask(["u1", "u2"]).tolist() == [True, False]


def test_compile_refuses_wrong_group_and_inactive(aws, personalize, group):
    other = Group.create(aws, personalize, "other", ("Items",))
    arn = make(personalize, group, "comedy", COMEDY)
    store = aws.store()
    with pytest.raises(Exception) as exc:
        realtime.compile_filter(store, arn, dataset_group_arn=other.arn)
    assert "belongs to dataset group" in str(exc.value)
    store.records["filter"][arn].status = "CREATE PENDING"
    with pytest.raises(Exception) as exc:
        realtime.compile_filter(store, arn)
    assert "CREATE PENDING" in str(exc.value)


def test_filters_go_with_their_dataset_group(aws, personalize):
    group = Group.create(aws, personalize, "brief", types=("Items",))
    arn = personalize.create_filter(name="comedies", datasetGroupArn=group.arn,
                                    filterExpression=COMEDY)["filterArn"]  # fmt: skip
    personalize.delete_dataset(datasetArn=group.datasets["Items"])
    personalize.delete_dataset_group(datasetGroupArn=group.arn)
    assert personalize.list_filters()["Filters"] == []
    with pytest.raises(ClientError) as exc:
        personalize.describe_filter(filterArn=arn)
    assert error_of(exc)[0] == "ResourceNotFoundException"
