"""Raw HTTP against the live server: every bad request gets an AWS-shaped 4xx."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

JSON11 = "application/x-amz-json-1.1"


def scope(region: str = "us-east-1") -> str:
    return (
        f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/{region}/personalize/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0"
    )


def post(endpoint, path="/", body=b"{}", target=None, content_type=JSON11, auth=None):
    headers = {"Content-Type": content_type}
    if target:
        headers["X-Amz-Target"] = target
    if auth:
        headers["Authorization"] = auth
    request = urllib.request.Request(endpoint + path, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


CREATE_SCHEMA = "AmazonPersonalize.CreateSchema"
PATTERN = "^[a-zA-Z0-9][a-zA-Z0-9\\-_]*"

CASES = {
    "bad json": (
        dict(target=CREATE_SCHEMA, body=b'{"name": "s",'),
        "SerializationException",
        "Request body is not valid JSON",
    ),
    "missing required member": (
        dict(target=CREATE_SCHEMA, body=b'{"name": "s"}'),
        "InvalidInputException",
        "1 validation error detected: Value null at 'schema' failed to satisfy constraint: "
        "Member must not be null",
    ),
    "name too long": (
        dict(target=CREATE_SCHEMA, body=json.dumps({"name": "n" * 64, "schema": "{}"}).encode()),
        "InvalidInputException",
        f"1 validation error detected: Value '{'n' * 64}' at 'name' failed to satisfy "
        "constraint: Member must have length less than or equal to 63",
    ),
    "pattern": (
        dict(target=CREATE_SCHEMA, body=b'{"name": "x!", "schema": "{}"}'),
        "InvalidInputException",
        "1 validation error detected: Value 'x!' at 'name' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {PATTERN}",
    ),
    "enum": (
        dict(target="AmazonPersonalize.ListRecipes", body=b'{"recipeProvider": "MINE"}'),
        "InvalidInputException",
        "1 validation error detected: Value 'MINE' at 'recipeProvider' failed to satisfy "
        "constraint: Member must satisfy enum value set: [SERVICE]",
    ),
    "several at once": (
        dict(target=CREATE_SCHEMA, body=b'{"name": "x!", "domain": "FOOD"}'),
        "InvalidInputException",
        "3 validation errors detected: ",
    ),
    "unknown target": (
        dict(target="AmazonPersonalize.CreateUnicorn"),
        "UnknownOperationException",
        "Unknown operation: AmazonPersonalize.CreateUnicorn",
    ),
    "unknown path": (
        dict(path="/unicorns", auth=scope(), content_type="application/json"),
        "UnknownOperationException",
        "No operation is served at POST /unicorns",
    ),
    "unknown region": (
        dict(target="AmazonPersonalize.ListSchemas", auth=scope("mars-north-1")),
        "InvalidRegionException",
        "Amazon Personalize is not available in region 'mars-north-1'",
    ),
    "wrong content type": (
        dict(target="AmazonPersonalize.ListSchemas", content_type="text/plain"),
        "SerializationException",
        "Content-Type 'text/plain' is not supported",
    ),
    "runtime validation": (
        dict(
            path="/recommendations",
            body=json.dumps({"userId": "u" * 257}).encode(),
            content_type="application/json",
        ),
        "InvalidInputException",
        f"1 validation error detected: Value '{'u' * 257}' at 'userId' failed to satisfy "
        "constraint: Member must have length less than or equal to 256",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_requests_get_aws_errors(emulator_server, monkeypatch, case):
    monkeypatch.delenv("MOTO_ALLOW_NONEXISTENT_REGION", raising=False)
    kwargs, code, message = CASES[case]
    status, headers, body = post(emulator_server.endpoint_url, **kwargs)
    payload = json.loads(body)
    assert status == 400
    assert payload["__type"] == code
    assert headers["X-Amzn-ErrorType"] == code
    assert headers["x-amzn-RequestId"]
    assert payload["message"].startswith(message)


def test_json11_errors_use_json11_and_rest_errors_use_json(emulator_server):
    _, headers, _ = post(emulator_server.endpoint_url, target="AmazonPersonalize.Nope")
    assert headers["Content-Type"] == JSON11
    _, headers, _ = post(emulator_server.endpoint_url, path="/events", body=b"[")
    assert headers["Content-Type"] == "application/json"


def test_health(emulator_server):
    with urllib.request.urlopen(emulator_server.endpoint_url + "/_emulator/health") as response:
        payload = json.loads(response.read())
    assert response.status == 200
    assert payload["status"] == "ok"
    assert "personalize-runtime (ga)" in payload["services"]
