"""Metric attributions through boto3 on both doors, and the totals PutEvents adds to."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError
from realtime_samples import ACCOUNT, ROLE, error_of

from personalize_emulator.resources.providers.metric_attributions import metric_values

OUTPUT = {"roleArn": ROLE, "s3DataDestination": {"path": "s3://realtime-bucket/metrics/"}}


def metric(name: str, expression: str, event_type: str = "purchase") -> dict:
    return {"eventType": event_type, "metricName": name, "expression": expression}


def create(personalize, group, metrics, name="revenue"):
    return personalize.create_metric_attribution(
        name=name, datasetGroupArn=group.arn, metrics=metrics, metricsOutputConfig=OUTPUT
    )["metricAttributionArn"]


def test_create_describe_list_update_delete(aws, personalize, group):
    arn = create(personalize, group, [metric("count", "SAMPLECOUNT()"),
                                      metric("value", "SUM(Interactions.EVENT_VALUE)")])
    assert arn == f"arn:aws:personalize:us-east-1:{ACCOUNT}:metric-attribution/revenue"
    described = personalize.describe_metric_attribution(metricAttributionArn=arn)
    attribution = described["metricAttribution"]
    assert attribution["status"] == "ACTIVE"
    assert attribution["datasetGroupArn"] == group.arn
    assert attribution["metricsOutputConfig"] == OUTPUT
    listed = personalize.list_metric_attributions(datasetGroupArn=group.arn)["metricAttributions"]
    assert [a["metricAttributionArn"] for a in listed] == [arn]

    def names():
        out = personalize.list_metric_attribution_metrics(metricAttributionArn=arn)
        return [m["metricName"] for m in out["metrics"]]

    assert names() == ["count", "value"]
    personalize.update_metric_attribution(
        metricAttributionArn=arn,
        addMetrics=[metric("price", "SUM(Items.PRICE)")],
        removeMetrics=["count"],
    )
    assert names() == ["value", "price"]
    assert personalize.describe_metric_attribution(metricAttributionArn=arn)[
        "metricAttribution"
    ]["status"] == "ACTIVE"
    new_output = {"roleArn": ROLE}
    personalize.update_metric_attribution(metricAttributionArn=arn, metricsOutputConfig=new_output)
    assert personalize.describe_metric_attribution(metricAttributionArn=arn)[
        "metricAttribution"
    ]["metricsOutputConfig"] == new_output
    page = personalize.list_metric_attribution_metrics(metricAttributionArn=arn, maxResults=1)
    assert [m["metricName"] for m in page["metrics"]] == ["value"] and page["nextToken"]
    personalize.delete_metric_attribution(metricAttributionArn=arn)
    assert personalize.list_metric_attributions()["metricAttributions"] == []


@pytest.mark.parametrize(
    ("metrics", "code", "fragment"),
    [
        ([metric("m", "AVG(Items.PRICE)")], "InvalidInputException", "SAMPLECOUNT()"),
        ([metric("m", "SUM(Items.GENRES)")], "InvalidInputException", "categorical"),
        ([metric("m", "SUM(Items.NOPE)")], "InvalidInputException", "no column NOPE"),
        ([metric("m", "SAMPLECOUNT()"), metric("m", "SAMPLECOUNT()")],
         "InvalidInputException", "repeated: m"),
        ([metric(f"m{k}", "SAMPLECOUNT()") for k in range(11)], "InvalidInputException",
         "metrics"),
    ],
)
def test_create_errors(aws, personalize, group, metrics, code, fragment):
    with pytest.raises(ClientError) as exc:
        create(personalize, group, metrics)
    got, message = error_of(exc)
    assert got == code and fragment in message, message
    assert personalize.list_metric_attributions()["metricAttributions"] == []


def test_one_per_group_and_update_errors(aws, personalize, group):
    arn = create(personalize, group, [metric("count", "SAMPLECOUNT()")])
    with pytest.raises(ClientError) as exc:
        create(personalize, group, [metric("count", "SAMPLECOUNT()")], name="second")
    assert error_of(exc)[0] == "ResourceAlreadyExistsException"
    with pytest.raises(ClientError) as exc:
        personalize.update_metric_attribution(metricAttributionArn=arn, removeMetrics=["nope"])
    assert error_of(exc)[0] == "InvalidInputException" and "nope" in error_of(exc)[1]
    with pytest.raises(ClientError) as exc:
        personalize.update_metric_attribution(metricAttributionArn=arn,
                                              addMetrics=[metric("count", "SAMPLECOUNT()")])
    assert error_of(exc)[0] == "ResourceAlreadyExistsException"
    with pytest.raises(ClientError) as exc:
        personalize.update_metric_attribution(
            metricAttributionArn=arn,
            addMetrics=[metric(f"m{k}", "SAMPLECOUNT()") for k in range(10)])
    assert error_of(exc)[0] == "LimitExceededException"
    out = personalize.list_metric_attribution_metrics(metricAttributionArn=arn)
    assert [m["metricName"] for m in out["metrics"]] == ["count"]


def test_put_events_count_per_source(aws, personalize, group, events):
    events.put_items(datasetArn=group.datasets["Items"], items=[
        {"itemId": "a", "properties": json.dumps({"genres": "x", "price": 10.0})},
        {"itemId": "b", "properties": json.dumps({"genres": "y", "price": 2.5})},
    ])  # fmt: skip
    arn = create(personalize, group, [
        metric("purchases", "SAMPLECOUNT()"),
        metric("revenue", "SUM(Items.PRICE)"),
        metric("value", "SUM(Interactions.EVENT_VALUE)"),
        metric("clicks", "SAMPLECOUNT()", "click"),
    ])  # fmt: skip
    now = datetime.now(timezone.utc)

    def ev(item, event_type="purchase", source=None, value=None):
        out = {"eventType": event_type, "itemId": item, "sentAt": now}
        if source:
            out["metricAttribution"] = {"eventAttributionSource": source}
        if value is not None:
            out["eventValue"] = value
        return out

    events.put_events(trackingId=group.tracking_id, userId="u", sessionId="s", eventList=[
        ev("a", source="email", value=1.0), ev("b", source="email"), ev("a", source="web"),
        ev("b", "click", source="email"), ev("a", source=None),
    ])  # fmt: skip
    assert metric_values(aws.store(), arn) == {
        ("purchases", "email"): 2.0, ("revenue", "email"): 12.5, ("value", "email"): 1.0,
        ("purchases", "web"): 1.0, ("revenue", "web"): 10.0, ("clicks", "email"): 1.0,
    }  # fmt: skip
