"""Acceptance: raw HTTP as a non-boto3 SDK sends it, against the live server.

Every Personalize-looking request gets an AWS-shaped answer (``__type``, ``message``,
``X-Amzn-ErrorType``, ``x-amzn-RequestId``), never moto's S3 answer or an HTML page.
"""

from __future__ import annotations

import gzip
import http.client
import json
import zlib
from urllib.parse import urlsplit

import pytest

JSON11 = "application/x-amz-json-1.1"
LIST_GROUPS = "AmazonPersonalize.ListDatasetGroups"
AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/personalize/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0"
)


def call(endpoint: str, method: str, path: str, body: bytes = b"", **headers: str):
    url = urlsplit(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        wire = {k.replace("_", "-"): v for k, v in headers.items()}
        conn.request(method, path, body=body, headers=wire)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def assert_aws_error(status, headers, body, code, expected_status=400):
    assert status == expected_status, (status, body[:300])
    assert not body.lstrip().startswith(b"<"), body[:300]
    payload = json.loads(body)
    assert payload["__type"] == code
    assert payload["message"]
    assert headers["X-Amzn-ErrorType"] == code
    assert headers["x-amzn-RequestId"]
    return payload


def create_group(endpoint: str, name: str) -> None:
    body = json.dumps({"name": name}).encode()
    status, _, payload = call(
        endpoint,
        "POST",
        "/",
        body,
        Content_Type=JSON11,
        X_Amz_Target="AmazonPersonalize.CreateDatasetGroup",
    )
    assert status == 200, payload


@pytest.mark.parametrize(
    "encoding, pack",
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("identity, gzip", gzip.compress),
    ],
)
def test_compressed_control_plane_body_is_decoded(endpoint, encoding, pack):
    for name in ("a1", "a2"):
        create_group(endpoint, name)
    status, headers, body = call(
        endpoint,
        "POST",
        "/",
        pack(b'{"maxResults": 1}'),
        Content_Type=JSON11,
        Content_Encoding=encoding,
        X_Amz_Target=LIST_GROUPS,
    )
    assert status == 200, body
    payload = json.loads(body)
    assert len(payload["datasetGroups"]) == 1
    assert "nextToken" in payload


def test_gzipped_events_body_is_decoded(endpoint):
    raw = json.dumps({"trackingId": "t", "sessionId": "s", "eventList": []}).encode()
    status, headers, body = call(
        endpoint,
        "POST",
        "/events",
        gzip.compress(raw),
        Content_Type="application/json",
        Content_Encoding="gzip",
        Authorization=AUTH,
    )
    payload = assert_aws_error(status, headers, body, "InvalidInputException")
    # the body was read: the complaint is about the empty eventList, not the bytes
    assert "eventList" in payload["message"]


def test_unknown_or_broken_encoding_is_a_serialization_error(endpoint):
    for encoding, data in (("br", b"{}"), ("gzip", b"{}")):
        status, headers, body = call(
            endpoint,
            "POST",
            "/",
            data,
            Content_Type=JSON11,
            Content_Encoding=encoding,
            X_Amz_Target=LIST_GROUPS,
        )
        assert_aws_error(status, headers, body, "SerializationException")


def test_deeply_nested_json_is_a_client_error_not_a_500(endpoint):
    deep = b"[" * 100_000 + b"]" * 100_000
    status, headers, body = call(
        endpoint, "POST", "/", deep, Content_Type=JSON11, X_Amz_Target=LIST_GROUPS
    )
    payload = assert_aws_error(status, headers, body, "SerializationException")
    assert "nested" in payload["message"]


def test_unsigned_target_without_a_dot_is_an_aws_error_not_html(endpoint):
    status, headers, body = call(
        endpoint, "POST", "/", b"{}", Content_Type=JSON11, X_Amz_Target="ListDatasetGroups"
    )
    assert_aws_error(status, headers, body, "UnknownOperationException")
    assert headers["Content-Type"] == JSON11


@pytest.mark.parametrize("auth", [None, AUTH], ids=["unsigned", "signed"])
def test_json11_call_without_target_is_refused(endpoint, auth):
    extra = {"Authorization": auth} if auth else {}
    status, headers, body = call(endpoint, "POST", "/", b"{}", Content_Type=JSON11, **extra)
    payload = assert_aws_error(status, headers, body, "UnknownOperationException")
    assert "X-Amz-Target" in payload["message"]
    assert headers["Content-Type"] == JSON11


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_json11_operations_answer_post_only(endpoint, method):
    status, headers, body = call(
        endpoint, method, "/", b"{}", Content_Type=JSON11, X_Amz_Target=LIST_GROUPS
    )
    payload = assert_aws_error(status, headers, body, "UnknownOperationException")
    assert "POST" in payload["message"]


def test_head_signed_for_personalize_is_a_bodyless_aws_error(endpoint):
    status, headers, body = call(endpoint, "HEAD", "/recommendations", Authorization=AUTH)
    assert status == 400
    assert body == b""
    assert headers["X-Amzn-ErrorType"] == "UnknownOperationException"


def test_bom_unicode_and_expect_continue(endpoint):
    create_group(endpoint, "g1")
    status, _, body = call(
        endpoint,
        "POST",
        "/",
        b"\xef\xbb\xbf{}",
        Content_Type=JSON11,
        X_Amz_Target=LIST_GROUPS,
        Expect="100-continue",
    )
    assert status == 200
    assert [g["name"] for g in json.loads(body)["datasetGroups"]] == ["g1"]
    status, headers, body = call(
        endpoint,
        "POST",
        "/",
        json.dumps({"name": "gr\u00fcppe"}, ensure_ascii=False).encode(),
        Content_Type=JSON11,
        X_Amz_Target="AmazonPersonalize.CreateDatasetGroup",
    )
    payload = assert_aws_error(status, headers, body, "InvalidInputException")
    assert "gr\u00fcppe" in payload["message"]


def test_health_answers_head_as_probes_send_it(endpoint):
    status, headers, body = call(endpoint, "HEAD", "/_emulator/health")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert body == b""
    status, headers, _ = call(endpoint, "POST", "/_emulator/health")
    assert status == 405
    assert headers["Allow"] == "GET, HEAD"
