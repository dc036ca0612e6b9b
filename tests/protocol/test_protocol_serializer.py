"""Output through the output shape, strict checking, and error responses."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from botocore.model import ServiceModel

from personalize_emulator.protocol.errors import (
    InternalFailure,
    InvalidInputException,
    ResourceInUseException,
    ResourceNotFoundException,
    ServiceError,
)
from personalize_emulator.protocol.serializer import serialize_error, serialize_output, to_wire
from personalize_emulator.protocol.specs import ga_spec

WHEN = datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=timezone.utc)


def out_shape(service, operation):
    return ga_spec(service).model.operation_model(operation).output_shape


def test_drops_none_and_converts_datetimes():
    output = {
        "schema": {
            "name": "s",
            "schemaArn": "arn",
            "schema": "{}",
            "domain": None,
            "creationDateTime": WHEN,
            "lastUpdatedDateTime": datetime(2024, 1, 2),  # naive: taken as UTC
        }
    }
    wire = to_wire(out_shape("personalize", "DescribeSchema"), output, "DescribeSchema")
    assert wire == {
        "schema": {
            "name": "s",
            "schemaArn": "arn",
            "schema": "{}",
            "creationDateTime": WHEN.timestamp(),
            "lastUpdatedDateTime": datetime(2024, 1, 2, tzinfo=timezone.utc).timestamp(),
        }
    }


def test_response_headers_and_body():
    status, headers, body = serialize_output(
        ga_spec("personalize-runtime"), "GetRecommendations", {"itemList": [{"itemId": "1"}]}, "rid"
    )
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert headers["x-amzn-RequestId"] == "rid"
    assert json.loads(body) == {"itemList": [{"itemId": "1"}]}
    _, headers, body = serialize_output(ga_spec("personalize"), "DeleteSchema", None, "rid")
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert body == b"{}"


@pytest.mark.parametrize(
    ("output", "named"),
    [
        ({"schemaArn": "a", "extra": 1}, "'extra' is not a member"),
        ({"schemaArn": 5}, "'schemaArn' must be string"),
    ],
)
def test_strict_mode_names_the_fault(monkeypatch, output, named):
    monkeypatch.setenv("PERSONALIZE_EMULATOR_STRICT_OUTPUT", "1")
    with pytest.raises(InternalFailure, match=named):
        to_wire(out_shape("personalize", "CreateSchema"), output, "CreateSchema")


def test_strict_mode_requires_required_members(monkeypatch):
    # No Personalize output declares a required member today, so use a tiny model of our own.
    model = ServiceModel(
        {
            "metadata": {"protocol": "json", "apiVersion": "x", "jsonVersion": "1.1"},
            "operations": {},
            "shapes": {
                "Out": {
                    "type": "structure",
                    "required": ["items"],
                    "members": {"items": {"shape": "Items"}},
                },
                "Items": {"type": "list", "member": {"shape": "Item"}},
                "Item": {
                    "type": "structure",
                    "required": ["id"],
                    "members": {"id": {"shape": "S"}},
                },
                "S": {"type": "string"},
            },
        }
    )
    monkeypatch.setenv("PERSONALIZE_EMULATOR_STRICT_OUTPUT", "1")
    out = model.shape_for("Out")
    assert to_wire(out, {"items": [{"id": "a"}]}) == {"items": [{"id": "a"}]}
    with pytest.raises(InternalFailure, match=r"'items' is required by Out"):
        to_wire(out, {"items": None})
    with pytest.raises(InternalFailure, match=r"'items\[1\].id' is required by Item"):
        to_wire(out, {"items": [{"id": "a"}, {}]})
    assert to_wire(out_shape("personalize-events", "PutEvents"), None, "PutEvents") == {}


def test_lenient_mode_drops_unknown_members(monkeypatch):
    monkeypatch.setenv("PERSONALIZE_EMULATOR_STRICT_OUTPUT", "0")
    wire = to_wire(
        out_shape("personalize", "CreateSchema"), {"schemaArn": "a", "x": 1}, "CreateSchema"
    )
    assert wire == {"schemaArn": "a"}


@pytest.mark.parametrize(
    ("service", "err", "status"),
    [
        ("personalize", ResourceNotFoundException("no"), 400),
        ("personalize-runtime", ResourceNotFoundException("no"), 404),
        ("personalize-runtime", InvalidInputException("bad"), 400),
        ("personalize-events", ResourceInUseException("busy"), 409),
        ("personalize", ServiceError("slow down", code="ThrottlingException", status=429), 429),
        ("personalize", InternalFailure("bug"), 500),
    ],
)
def test_error_status_and_shape(service, err, status):
    got, headers, body = serialize_error(ga_spec(service), err, "rid")
    assert got == status
    assert headers["X-Amzn-ErrorType"] == err.code
    assert json.loads(body) == {"__type": err.code, "message": err.message}
