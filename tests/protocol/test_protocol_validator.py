"""Input validation against botocore shapes, with AWS-style collected messages."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from personalize_emulator.protocol.errors import InvalidInputException
from personalize_emulator.protocol.specs import ga_spec
from personalize_emulator.protocol.validator import parse_timestamp, validate


def shape(service, operation):
    return ga_spec(service).model.operation_model(operation).input_shape


def message(service, operation, params):
    with pytest.raises(InvalidInputException) as info:
        validate(shape(service, operation), params)
    return info.value.message


def test_valid_input_passes_and_unknown_members_are_dropped():
    params = {"name": "movies", "schema": "{}", "noSuchMember": 1}
    assert validate(shape("personalize", "CreateSchema"), params) == {
        "name": "movies",
        "schema": "{}",
    }


def test_collects_every_violation_in_order():
    text = message("personalize", "CreateDatasetGroup", {"name": "x!", "domain": "FOOD"})
    assert text == (
        "2 validation errors detected: "
        "Value 'x!' at 'name' failed to satisfy constraint: Member must satisfy regular "
        "expression pattern: ^[a-zA-Z0-9][a-zA-Z0-9\\-_]*; "
        "Value 'FOOD' at 'domain' failed to satisfy constraint: Member must satisfy enum value "
        "set: [ECOMMERCE, VIDEO_ON_DEMAND]"
    )


def test_required_member_is_reported_as_null():
    text = message(
        "personalize",
        "CreateDataset",
        {
            "name": "d",
            "datasetGroupArn": "arn:aws:personalize:us-east-1:1:dataset-group/g",
            "datasetType": "Interactions",
        },
    )
    assert text == (
        "1 validation error detected: Value null at 'schemaArn' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_string_length_bounds():
    text = message("personalize", "CreateSchema", {"name": "a" * 64, "schema": "s" * 20001})
    assert (
        "at 'name' failed to satisfy constraint: Member must have length less than or equal to 63"
        in text
    )
    assert (
        "at 'schema' failed to satisfy constraint: Member must have length less than or equal to 20000"
        in text
    )
    assert text.startswith("2 validation errors detected: ")


def test_number_range_and_types():
    text = message(
        "personalize",
        "ListSchemas",
        {"maxResults": 0, "nextToken": 5},
    )
    assert (
        "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"
        in text
    )
    assert (
        "Value '5' at 'nextToken' failed to satisfy constraint: Member must be of type string"
        in text
    )


def test_nested_paths():
    params = {
        "name": "s",
        "datasetGroupArn": "arn:aws:personalize:us-east-1:123456789012:dataset-group/g",
        "solutionConfig": {"algorithmHyperParameters": {"k": "v" * 1001}, "eventValueThreshold": 7},
    }
    text = message("personalize", "CreateSolution", params)
    assert "at 'solutionConfig.algorithmHyperParameters.k' failed to satisfy constraint" in text
    assert (
        "Value '7' at 'solutionConfig.eventValueThreshold' failed to satisfy constraint: Member must be of type string"
        in text
    )


def test_list_members_are_named_by_position():
    params = {
        "trackingId": "t",
        "sessionId": "s",
        "eventList": [
            {"eventType": "click", "sentAt": 1700000000},
            {"eventType": "click"},
        ],
    }
    text = message("personalize-events", "PutEvents", params)
    assert text == (
        "1 validation error detected: Value null at 'eventList.2.member.sentAt' failed to "
        "satisfy constraint: Member must not be null"
    )


def test_list_length():
    params = {"trackingId": "t", "sessionId": "s", "eventList": []}
    assert "Member must have length greater than or equal to 1" in message(
        "personalize-events", "PutEvents", params
    )


def test_timestamps_become_aware_utc():
    params = {
        "trackingId": "t",
        "sessionId": "s",
        "eventList": [
            {"eventType": "a", "sentAt": 1700000000},
            {"eventType": "b", "sentAt": "2023-11-14T22:13:20Z"},
        ],
    }
    out = validate(shape("personalize-events", "PutEvents"), params)
    expected = datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)
    assert [e["sentAt"] for e in out["eventList"]] == [expected, expected]
    bad = {**params, "eventList": [{"eventType": "a", "sentAt": "yesterday"}]}
    assert "at 'eventList.1.member.sentAt'" in message("personalize-events", "PutEvents", bad)


def test_parse_timestamp_forms():
    assert parse_timestamp("1700000000.5") == datetime.fromtimestamp(1700000000.5, timezone.utc)
    assert parse_timestamp("2024-01-01T00:00:00") == datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert parse_timestamp("2024-01-01T02:00:00+02:00") == datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert parse_timestamp(True) is None
    assert parse_timestamp([1]) is None


def test_unicode_property_patterns():
    s = shape("personalize", "TagResource")
    ok = {
        "resourceArn": "arn:aws:personalize:us-east-1:1:schema/s",
        "tags": [{"tagKey": "Zoë 1", "tagValue": "x"}],
    }
    validate(s, ok)
    bad = {**ok, "tags": [{"tagKey": "a#b", "tagValue": "x"}]}
    with pytest.raises(InvalidInputException, match="at 'tags.1.member.tagKey'"):
        validate(s, bad)


def test_sensitive_values_are_not_echoed():
    text = message(
        "personalize",
        "TagResource",
        {
            "resourceArn": "arn:aws:personalize:us-east-1:123456789012:schema/s",
            "tags": [{"tagKey": "team", "tagValue": "secret<value>"}],
        },
    )
    assert "secret" not in text
    assert "Value '***' at 'tags.1.member.tagValue'" in text


def test_long_values_are_cut_short_in_messages():
    text = message("personalize", "CreateDatasetGroup", {"name": "x" * 100_000})
    assert len(text) < 2_000
    assert "(100000 characters)" in text
