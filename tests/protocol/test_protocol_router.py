"""Routing a raw request to (service, dialect, operation) and a region."""

from __future__ import annotations

import pytest

from personalize_emulator.protocol import router
from personalize_emulator.protocol.specs import preview_specs

SCOPE = "AWS4-HMAC-SHA256 Credential=AKID/20240101/{}/personalize/aws4_request, SignedHeaders=host"


def test_ga_control_plane_target():
    r = router.route("POST", "/", {"x-amz-target": "AmazonPersonalize.CreateSchema"})
    assert (r.service, r.dialect, r.operation) == ("personalize", "ga", "CreateSchema")


@pytest.mark.parametrize(
    ("path", "service", "operation"),
    [
        ("/recommendations", "personalize-runtime", "GetRecommendations"),
        ("/personalize-ranking", "personalize-runtime", "GetPersonalizedRanking"),
        ("/events", "personalize-events", "PutEvents"),
        ("/users?x=1", "personalize-events", "PutUsers"),
        ("/action-interactions", "personalize-events", "PutActionInteractions"),
    ],
)
def test_rest_json_paths(path, service, operation):
    r = router.route("POST", path, {})
    assert (r.service, r.dialect, r.operation) == (service, "ga", operation)


@pytest.mark.skipif(len(preview_specs()) < 2, reason="preview models not installed")
def test_preview_targets():
    control = router.route(
        "POST", "/", {"x-amz-target": "AWSConciergeControlService.CreateSolution"}
    )
    assert (control.service, control.dialect) == ("personalize", "preview")
    runtime = router.route(
        "POST", "/", {"x-amz-target": "AWSConciergeRoutingService.GetRecommendations"}
    )
    assert (runtime.service, runtime.dialect) == ("personalize-runtime", "preview")


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("POST", "/", {"x-amz-target": "AmazonPersonalize.CreateWidget"}),
        ("POST", "/", {"x-amz-target": "DynamoDB_20120810.ListTables"}),
        ("POST", "/nothing-here", {}),
        ("GET", "/recommendations", {}),
    ],
)
def test_unknown_operations(method, path, headers):
    with pytest.raises(router.UnknownOperationException) as info:
        router.route(method, path, headers)
    assert info.value.status == 400


def test_region_from_host_then_scope_then_default():
    assert router.region_of({"host": "personalize-runtime.eu-west-1.amazonaws.com"}) == "eu-west-1"
    assert router.region_of({"host": "personalize.cn-north-1.amazonaws.com.cn"}) == "cn-north-1"
    local = {"host": "127.0.0.1:4580", "authorization": SCOPE.format("ap-south-1")}
    assert router.region_of(local) == "ap-south-1"
    presigned = "X-Amz-Credential=AKID%2F20240101%2Fca-central-1%2Fpersonalize%2Faws4_request"
    assert router.region_of({"host": "localhost"}, presigned) == "ca-central-1"
    assert router.region_of({"host": "localhost"}) == "us-east-1"


def test_s3_virtual_host_is_not_a_personalize_host():
    assert router.region_of({"host": "personalize.s3.amazonaws.com"}) == "us-east-1"


def test_unknown_region(monkeypatch):
    monkeypatch.delenv("MOTO_ALLOW_NONEXISTENT_REGION", raising=False)
    router.check_region("eu-west-1")
    with pytest.raises(router.InvalidRegionException) as info:
        router.check_region("mars-north-1")
    assert "'mars-north-1'" in info.value.message
    monkeypatch.setenv("MOTO_ALLOW_NONEXISTENT_REGION", "true")
    router.check_region("mars-north-1")
