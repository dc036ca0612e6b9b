"""The dispatch seam with a small in-test application (no moto, no resources)."""

from __future__ import annotations

import json

from personalize_emulator.protocol.context import RequestContext
from personalize_emulator.protocol.dispatch import dispatch
from personalize_emulator.protocol.errors import ResourceNotFoundException

JSON11 = {"Content-Type": "application/x-amz-json-1.1"}


class RecordingApp:
    def __init__(self, result=None, raises=None):
        self.calls: list[tuple[RequestContext, dict]] = []
        self.result = result
        self.raises = raises

    def invoke(self, ctx, params):
        self.calls.append((ctx, params))
        if self.raises is not None:
            raise self.raises
        return self.result


def call(app, headers, body, path="/", **kw):
    status, headers, raw = dispatch("POST", path, headers, body, app=app, **kw)
    return status, headers, json.loads(raw)


def test_success_builds_the_context():
    app = RecordingApp({"schemaArn": "arn:aws:personalize:eu-west-1:111122223333:schema/s"})
    headers = {
        **JSON11,
        "X-Amz-Target": "AmazonPersonalize.CreateSchema",
        "Host": "personalize.eu-west-1.amazonaws.com",
    }
    status, out_headers, body = call(
        app, headers, b'{"name": "s", "schema": "{}"}', account_for=lambda h: "111122223333"
    )
    assert status == 200
    assert body == {"schemaArn": "arn:aws:personalize:eu-west-1:111122223333:schema/s"}
    ctx, params = app.calls[0]
    assert (ctx.service, ctx.operation, ctx.dialect) == ("personalize", "CreateSchema", "ga")
    assert (ctx.account_id, ctx.region) == ("111122223333", "eu-west-1")
    assert ctx.request_id == out_headers["x-amzn-RequestId"]
    assert params == {"name": "s", "schema": "{}"}


def test_client_errors_never_reach_the_app():
    app = RecordingApp({})
    target = {"X-Amz-Target": "AmazonPersonalize.ListSchemas"}
    cases = [
        ({**JSON11, **target}, b"{not json", "SerializationException"),
        ({**JSON11, **target}, b"[1, 2]", "SerializationException"),
        ({"Content-Type": "text/plain", **target}, b"{}", "SerializationException"),
        ({**JSON11, **target}, b'{"maxResults": 1000}', "InvalidInputException"),
        ({**JSON11, "X-Amz-Target": "AmazonPersonalize.Nope"}, b"{}", "UnknownOperationException"),
    ]
    for headers, body, code in cases:
        status, out_headers, payload = call(app, headers, body)
        assert (status, payload["__type"], out_headers["X-Amzn-ErrorType"]) == (400, code, code)
    assert app.calls == []


def test_unknown_region_is_a_400_naming_it(monkeypatch):
    monkeypatch.delenv("MOTO_ALLOW_NONEXISTENT_REGION", raising=False)
    headers = {"Host": "personalize-runtime.xx-nowhere-9.amazonaws.com"}
    status, _, payload = call(RecordingApp(), headers, b"{}", path="/recommendations")
    assert status == 400
    assert "'xx-nowhere-9'" in payload["message"]


def test_service_error_status_comes_from_the_model():
    app = RecordingApp(raises=ResourceNotFoundException("Campaign arn:x does not exist."))
    body = b'{"campaignArn": "arn:aws:personalize:us-east-1:1:campaign/c", "userId": "u"}'
    status, headers, payload = call(app, {}, body, path="/recommendations")
    assert status == 404
    assert headers["Content-Type"] == "application/json"
    assert payload == {
        "__type": "ResourceNotFoundException",
        "message": "Campaign arn:x does not exist.",
    }


def test_a_bug_becomes_internal_failure():
    app = RecordingApp(raises=KeyError("oops"))
    headers = {**JSON11, "X-Amz-Target": "AmazonPersonalize.ListSchemas"}
    status, _, payload = call(app, headers, b"{}")
    assert status == 500
    assert payload["__type"] == "InternalFailure"
    assert "ListSchemas" in payload["message"] and "KeyError" in payload["message"]
