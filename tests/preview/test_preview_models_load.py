"""The preview model files: they load in botocore, say what the dialect needs, and are our own."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from botocore import xform_name
from botocore.model import ServiceModel, Shape
from preview_support import BUILTIN_DATA, preview_session

from personalize_emulator import service_models

CONTROL_PLANE_OPERATIONS = {
    "CreateSchema", "DescribeSchema", "ListSchemas", "DeleteSchema",
    "CreateDatasetGroup", "DescribeDatasetGroup", "ListDatasetGroups", "DeleteDatasetGroup",
    "CreateDataset", "DescribeDataset", "ListDatasets", "DeleteDataset",
    "CreateDatasetImportJob", "DescribeDatasetImportJob", "ListDatasetImportJobs",
    "DescribeDatasetImportJobRun", "ListDatasetImportJobRuns",
    "CreateEventTracker", "DescribeEventTracker", "ListEventTrackers", "DeleteEventTracker",
    "CreateSolution", "DescribeSolution", "ListSolutions", "DeleteSolution",
    "RetrainSolution", "DescribeSolutionVersion", "ListSolutionVersions", "GetMetrics",
    "CreateCampaign", "DescribeCampaign", "ListCampaigns", "UpdateCampaign", "DeleteCampaign",
    "ListRecipes", "DescribeRecipe",
}
RUNTIME_OPERATIONS = {"GetRecommendations", "PersonalizeRanking"}
ERRORS = {
    "InvalidInputException",
    "ResourceNotFoundException",
    "ResourceAlreadyExistsException",
    "ResourceInUseException",
    "LimitExceededException",
}


def _model(service: str) -> ServiceModel:
    return ServiceModel(service_models.load(service), service_name=service)


def _ga_raw(service: str) -> dict[str, Any]:
    with gzip.open(BUILTIN_DATA / service / "2018-05-22" / "service-2.json.gz", "rt") as f:
        return json.load(f)


def _walk(shape: Shape, seen: set[str] | None = None) -> list[Shape]:
    """``shape`` and every shape reachable from it (resolving all references)."""
    seen = set() if seen is None else seen
    if shape.name in seen:
        return []
    seen.add(shape.name)
    found = [shape]
    if shape.type_name == "structure":
        for member in shape.members.values():
            found += _walk(member, seen)
    elif shape.type_name == "list":
        found += _walk(shape.member, seen)
    elif shape.type_name == "map":
        found += _walk(shape.key, seen) + _walk(shape.value, seen)
    return found


def _docs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["documentation"]] if isinstance(node.get("documentation"), str) else []
        return own + [d for value in node.values() for d in _docs(value)]
    if isinstance(node, list):
        return [d for value in node for d in _docs(value)]
    return []


@pytest.mark.parametrize(
    ("service", "target_prefix", "endpoint_prefix", "service_id"),
    [
        ("personalize", "AWSConciergeControlService", "personalize", "Personalize"),
        (
            "personalize-runtime",
            "AWSConciergeRoutingService",
            "personalize-runtime",
            "Personalize Runtime",
        ),
    ],
)
def test_metadata_is_the_preview_wire_protocol(service, target_prefix, endpoint_prefix, service_id):
    model = _model(service)
    assert model.metadata["apiVersion"] == "2018-05-22"
    assert model.metadata["uid"] == f"{service}-2018-05-22"
    assert model.protocol == "json"
    assert model.metadata["jsonVersion"] == "1.1"
    assert model.metadata["targetPrefix"] == target_prefix
    assert model.endpoint_prefix == endpoint_prefix
    assert model.signing_name == "personalize"
    assert model.signature_version == "v4"
    assert model.service_id == service_id
    assert service_models.TARGET_PREFIXES[service] == target_prefix


@pytest.mark.parametrize(
    ("service", "expected"),
    [("personalize", CONTROL_PLANE_OPERATIONS), ("personalize-runtime", RUNTIME_OPERATIONS)],
)
def test_operations_resolve_completely(service, expected):
    model = _model(service)
    assert set(model.operation_names) == expected
    for name in model.operation_names:
        operation = model.operation_model(name)
        assert operation.http == {"method": "POST", "requestUri": "/"}
        for shape in (operation.input_shape, operation.output_shape):
            if shape is not None:
                assert _walk(shape)  # raises on any dangling reference
        for error in operation.error_shapes:
            assert error.name in ERRORS
            assert error.metadata.get("exception") is True


def test_create_and_get_metrics_outputs_are_json_serialisable():
    # the blog json.dumps these responses; a timestamp member would parse into a datetime
    model = _model("personalize")
    for name in model.operation_names:
        if name.startswith("Create") or name == "GetMetrics":
            output = model.operation_model(name).output_shape
            assert all(s.type_name != "timestamp" for s in _walk(output)), name


def test_get_metrics_returns_model_arn_to_metric_to_double():
    metrics = _model("personalize").operation_model("GetMetrics").output_shape.members["metrics"]
    assert metrics.type_name == "map"
    assert metrics.key.type_name == "string"
    assert metrics.value.type_name == "map"
    assert metrics.value.value.type_name == "double"


def test_every_shape_is_used_and_every_error_is_defined():
    for service in service_models.SERVICES:
        raw = service_models.load(service)
        model = _model(service)
        reachable = {
            s.name
            for name in model.operation_names
            for shape in (
                model.operation_model(name).input_shape,
                model.operation_model(name).output_shape,
                *model.operation_model(name).error_shapes,
            )
            if shape is not None
            for s in _walk(shape)
        }
        assert reachable == set(raw["shapes"]), service


def test_input_strings_carry_constraints_for_the_server_validator():
    model = _model("personalize")
    for name in model.operation_names:
        shape = model.operation_model(name).input_shape
        for s in _walk(shape):
            if s.type_name == "string":
                assert "max" in s.metadata or "enum" in s.metadata, (name, s.name)
    name_shape = model.shape_for("Name")
    assert name_shape.metadata["min"] == 1 and name_shape.metadata["max"] == 63
    assert name_shape.metadata["pattern"].startswith("^[a-zA-Z0-9]")
    assert model.shape_for("UpdateMode").enum == ["AUTO", "MANUAL"]
    runtime = _model("personalize-runtime")
    assert runtime.shape_for("NumResults").metadata == {"min": 0, "max": 100}


def test_no_aws_documentation_text():
    ga_docs = {d.strip() for service in service_models.SERVICES for d in _docs(_ga_raw(service))}
    for service in service_models.SERVICES:
        ours = _docs(service_models.load(service))
        assert ours, "operations carry our own one-line descriptions"
        for doc in ours:
            assert doc.strip() not in ga_docs
            assert "<" not in doc, "AWS's documentation is HTML; ours is plain text"
            assert len(doc) <= 200


def test_ga_paginators_still_fit_the_preview_list_operations():
    # paginators-1 keeps loading from botocore's GA directory next to our service-2
    paginators = json.loads(
        (BUILTIN_DATA / "personalize" / "2018-05-22" / "paginators-1.json").read_text()
    )["pagination"]
    model = _model("personalize")
    shared = [op for op in paginators if op in model.operation_names]
    assert len(shared) >= 9
    client = preview_session().client("personalize")
    for op in shared:
        spec = paginators[op]
        operation = model.operation_model(op)
        assert spec["input_token"] in operation.input_shape.members
        assert spec["limit_key"] in operation.input_shape.members
        assert spec["output_token"] in operation.output_shape.members
        assert spec["result_key"] in operation.output_shape.members
        assert client.can_paginate(xform_name(op)), op
