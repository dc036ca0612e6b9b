"""Every boto3 call of the 2018 blog, with its exact arguments, under the preview models.

Each call goes through botocore's real validation and serialisation; a fake transport checks the
wire request (preview target, JSON 1.1 body equal to the blog's arguments) and answers with a
body shaped like the preview service's, which must parse into exactly what the blog reads.
The same calls are then shown to fail client-side under the GA models, and GA-only calls to
fail under the preview models.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from botocore.exceptions import ParamValidationError
from preview_support import FakeTransport, ga_session, preview_session, target_of

ACCOUNT = "123456789012"
PREFIX = f"arn:aws:personalize:us-east-1:{ACCOUNT}"
SCHEMA_ARN = f"{PREFIX}:schema/DEMO-schema"
DATASET_GROUP_ARN = f"{PREFIX}:dataset-group/DEMO-dataset-group"
DATASET_ARN = f"{PREFIX}:dataset/DEMO-dataset-group/INTERACTIONS"
IMPORT_JOB_ARN = f"{PREFIX}:dataset-import-job/DEMO-dataset-import-job"
SOLUTION_ARN = f"{PREFIX}:solution/DEMO-solution"
CAMPAIGN_ARN = f"{PREFIX}:campaign/DEMO-campaign"
MODEL_ARN = f"{PREFIX}:model/awspersonalizehrnnmodel-c2f6287c"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/PersonalizeRole"
BLOG_ENDPOINTS = {
    "personalize": "https://personalize.us-east-1.amazonaws.com",
    "personalize-runtime": "https://personalize-runtime.us-east-1.amazonaws.com",
}

# the blog's schema dict, verbatim
schema = {
    "type": "record",
    "name": "Interactions",
    "namespace": "com.amazonaws.personalize.schema",
    "fields": [
        {"name": "USER_ID", "type": "string"},
        {"name": "ITEM_ID", "type": "string"},
        {"name": "TIMESTAMP", "type": "long"},
    ],
    "version": "1.0",
}
recipe_list = [
    "arn:aws:personalize:::recipe/awspersonalizehrnnmodel",
    "arn:aws:personalize:::recipe/awspersonalizedeepfmmodel",
    "arn:aws:personalize:::recipe/awspersonalizesimsmodel",
    "arn:aws:personalize:::recipe/awspersonalizeffnnmodel",
    "arn:aws:personalize:::recipe/popularity-baseline",
]
bucket = "personalize-demo"
filename = "DEMO-movie-lens-100k.csv"
METRIC_NAMES = [
    "coverage", "mean_reciprocal_rank",
    "normalized_discounted_cumulative_gain_at_5", "normalized_discounted_cumulative_gain_at_10",
    "normalized_discounted_cumulative_gain_at_25",
    "precision_at_5", "precision_at_10", "precision_at_25",
    "_num_evaluation_users", "_num_unique_items", "_user_history_length_mean",
    "_user_history_length_10_pct_quantile", "_user_history_length_50_pct_quantile",
    "_user_history_length_90_pct_quantile",
]
T0 = 1543881600.0  # 2018-12-04
RUN = {
    "datasetImportJobRunArn": f"{PREFIX}:dataset-import-job-run/DEMO-dataset-import-job/0a1b2c3d",
    "datasetImportJobArn": IMPORT_JOB_ARN,
    "datasetArn": DATASET_ARN,
    "dataSource": {"dataLocation": f"s3://{bucket}/{filename}"},
    "roleArn": ROLE_ARN,
    "status": "ACTIVE",
    "creationDateTime": T0,
    "lastUpdatedDateTime": T0 + 900,
}

# (service, method, the blog's keyword arguments, a preview-shaped response, what the blog reads)
BLOG_CALLS: list[tuple[str, str, dict[str, Any], dict[str, Any], Any]] = [
    ("personalize", "create_schema",
     dict(name="DEMO-schema", schema=json.dumps(schema)),
     {"schemaArn": SCHEMA_ARN}, lambda r: r["schemaArn"]),
    ("personalize", "create_dataset_group",
     dict(name="DEMO-dataset-group"),
     {"datasetGroupArn": DATASET_GROUP_ARN}, lambda r: r["datasetGroupArn"]),
    ("personalize", "describe_dataset_group",
     dict(datasetGroupArn=DATASET_GROUP_ARN),
     {"datasetGroup": {"name": "DEMO-dataset-group", "datasetGroupArn": DATASET_GROUP_ARN,
                       "status": "ACTIVE", "creationDateTime": T0, "lastUpdatedDateTime": T0}},
     lambda r: r["datasetGroup"]["status"]),
    ("personalize", "create_dataset",
     dict(datasetType="INTERACTIONS", datasetGroupArn=DATASET_GROUP_ARN, schemaArn=SCHEMA_ARN),
     {"datasetArn": DATASET_ARN}, lambda r: r["datasetArn"]),
    ("personalize", "create_dataset_import_job",
     dict(jobName="DEMO-dataset-import-job", datasetArn=DATASET_ARN,
          dataSource={"dataLocation": "s3://{}/{}".format(bucket, filename)},  # noqa: UP032
          roleArn=ROLE_ARN),
     {"datasetImportJobArn": IMPORT_JOB_ARN}, lambda r: r["datasetImportJobArn"]),
    ("personalize", "describe_dataset_import_job",
     dict(datasetImportJobArn=IMPORT_JOB_ARN),
     {"datasetImportJob": {"jobName": "DEMO-dataset-import-job",
                           "datasetImportJobArn": IMPORT_JOB_ARN, "datasetArn": DATASET_ARN,
                           "dataSource": {"dataLocation": f"s3://{bucket}/{filename}"},
                           "roleArn": ROLE_ARN, "status": "ACTIVE", "creationDateTime": T0,
                           "lastUpdatedDateTime": T0, "latestDatasetImportJobRun": RUN}},
     lambda r: r["datasetImportJob"]["latestDatasetImportJobRun"]["status"]),
    ("personalize", "create_solution",
     dict(name="DEMO-solution", datasetGroupArn=DATASET_GROUP_ARN, recipeArn=recipe_list[0],
          minTPS=1),
     {"solutionArn": SOLUTION_ARN}, lambda r: r["solutionArn"]),
    ("personalize", "describe_solution",
     dict(solutionArn=SOLUTION_ARN),
     {"solution": {"name": "DEMO-solution", "solutionArn": SOLUTION_ARN,
                   "recipeArn": recipe_list[0], "datasetGroupArn": DATASET_GROUP_ARN,
                   "performAutoML": False, "performHPO": False, "minTPS": 1,
                   "minProvisionedTPS": 1, "status": "ACTIVE", "creationDateTime": T0,
                   "lastUpdatedDateTime": T0 + 3420,
                   "latestSolutionVersion": {"solutionVersionArn": f"{SOLUTION_ARN}/c2f6287c",
                                             "status": "ACTIVE"}}},
     lambda r: r["solution"]["status"]),
    ("personalize", "get_metrics",
     dict(solutionArn=SOLUTION_ARN),
     {"metrics": {MODEL_ARN: {name: 0.25 + i for i, name in enumerate(METRIC_NAMES)}}},
     lambda r: r["metrics"][MODEL_ARN]["precision_at_25"]),
    ("personalize", "create_campaign",
     dict(name="DEMO-campaign", solutionArn=SOLUTION_ARN, updateMode="MANUAL"),
     {"campaignArn": CAMPAIGN_ARN}, lambda r: r["campaignArn"]),
    ("personalize", "describe_campaign",
     dict(campaignArn=CAMPAIGN_ARN),
     {"campaign": {"name": "DEMO-campaign", "campaignArn": CAMPAIGN_ARN,
                   "solutionArn": SOLUTION_ARN, "solutionVersionArn": f"{SOLUTION_ARN}/c2f6287c",
                   "updateMode": "MANUAL", "status": "ACTIVE", "creationDateTime": T0,
                   "lastUpdatedDateTime": T0}},
     lambda r: r["campaign"]["status"]),
    ("personalize-runtime", "get_recommendations",
     dict(campaignArn=CAMPAIGN_ARN, userId=str(196), itemId=str(242)),
     {"itemList": [{"itemId": str(i)} for i in range(1, 26)]},
     lambda r: [int(item["itemId"]) for item in r["itemList"]]),
]
IDS = [f"{service}.{method}" for service, method, *_ in BLOG_CALLS]
JSON_DUMPED = {"create_schema", "create_dataset_group", "create_dataset",
               "create_dataset_import_job", "create_solution", "get_metrics", "create_campaign"}


def _as_wire(value: Any) -> Any:
    """Parsed response back to wire form: datetimes to epoch seconds."""
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {k: _as_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_wire(v) for v in value]
    return value


def _blog_client(service: str) -> Any:
    return preview_session().client(service_name=service, endpoint_url=BLOG_ENDPOINTS[service])


@pytest.mark.parametrize(("service", "method", "kwargs", "body", "read"), BLOG_CALLS, ids=IDS)
def test_blog_call_runs_under_the_preview_model(service, method, kwargs, body, read):
    client = _blog_client(service)
    transport = FakeTransport(client, body)

    response = getattr(client, method)(**kwargs)

    sent = transport.last
    operation = client.meta.method_to_api_mapping[method]
    prefix = {"personalize": "AWSConciergeControlService",
              "personalize-runtime": "AWSConciergeRoutingService"}[service]
    assert sent.method == "POST"
    assert sent.url == BLOG_ENDPOINTS[service] + "/"
    assert target_of(sent) == f"{prefix}.{operation}"
    assert sent.headers["Content-Type"] == b"application/x-amz-json-1.1"
    assert json.loads(sent.body) == kwargs
    # every member of the preview-shaped body is modelled (botocore drops unknown members)
    assert _as_wire({k: v for k, v in response.items() if k != "ResponseMetadata"}) == body
    assert read(response) is not None
    if method in JSON_DUMPED:
        json.dumps(response, indent=2)


def test_blog_import_poll_falls_back_to_job_status_before_the_first_run():
    client = _blog_client("personalize")
    FakeTransport(client, {"datasetImportJob": {"datasetImportJobArn": IMPORT_JOB_ARN,
                                                "status": "CREATE PENDING"}})
    job = client.describe_dataset_import_job(datasetImportJobArn=IMPORT_JOB_ARN)["datasetImportJob"]
    assert "latestDatasetImportJobRun" not in job
    assert job["status"] == "CREATE PENDING"


def test_the_blog_does_not_validate_under_ga():
    """What breaks without the preview models (first failure first, as in the blog)."""
    ga = ga_session().client("personalize", endpoint_url=BLOG_ENDPOINTS["personalize"])
    FakeTransport(ga, {})
    calls = {method: kwargs for _, method, kwargs, _, _ in BLOG_CALLS}

    with pytest.raises(ParamValidationError, match='Missing required parameter in input: "name"'):
        ga.create_dataset(**calls["create_dataset"])
    with pytest.raises(ParamValidationError, match='Unknown parameter in input: "minTPS"'):
        ga.create_solution(**calls["create_solution"])
    assert not hasattr(ga, "get_metrics")
    with pytest.raises(ParamValidationError) as campaign_error:
        ga.create_campaign(**calls["create_campaign"])
    assert "solutionVersionArn" in str(campaign_error.value)
    assert '"updateMode"' in str(campaign_error.value)
    # calls shared by both dialects still validate, but speak GA on the wire
    runtime = ga_session().client("personalize-runtime")
    transport = FakeTransport(runtime, {"itemList": []})
    runtime.get_recommendations(**calls["get_recommendations"])
    assert transport.last.url.endswith("/recommendations")
    assert target_of(transport.last) is None


def test_ga_only_calls_are_rejected_by_the_preview_model():
    client = preview_session().client("personalize")
    transport = FakeTransport(client, {})

    with pytest.raises(ParamValidationError, match='Unknown parameter in input: "name"'):
        client.create_dataset(name="ratings", datasetType="INTERACTIONS",
                              datasetGroupArn=DATASET_GROUP_ARN, schemaArn=SCHEMA_ARN)
    with pytest.raises(ParamValidationError) as campaign_error:
        client.create_campaign(name="c", solutionVersionArn=f"{SOLUTION_ARN}/c2f6287c",
                               minProvisionedTPS=1)
    assert 'Missing required parameter in input: "solutionArn"' in str(campaign_error.value)
    assert 'Unknown parameter in input: "minProvisionedTPS"' in str(campaign_error.value)
    with pytest.raises(ParamValidationError, match='Missing required parameter in input: "roleArn"'):
        client.create_dataset_import_job(jobName="j", datasetArn=DATASET_ARN,
                                         dataSource={"dataLocation": "s3://b/k.csv"})
    with pytest.raises(ParamValidationError, match='Missing required parameter in input: "roleArn"'):
        client.create_event_tracker(name="t", datasetGroupArn=DATASET_GROUP_ARN)
    for ga_only in ("create_solution_version", "get_solution_metrics", "create_filter",
                    "create_batch_inference_job"):
        assert not hasattr(client, ga_only), ga_only
    assert transport.requests == []  # nothing reached the wire

    runtime = preview_session().client("personalize-runtime")
    assert not hasattr(runtime, "get_personalized_ranking")
    assert not hasattr(ga_session().client("personalize-runtime"), "personalize_ranking")


def test_preview_accepts_the_2019_tps_spelling_too():
    client = preview_session().client("personalize")
    transport = FakeTransport(client, {"solutionArn": SOLUTION_ARN})
    client.create_solution(name="DEMO-solution", datasetGroupArn=DATASET_GROUP_ARN,
                           recipeArn=recipe_list[2], minProvisionedTPS=1)
    assert json.loads(transport.last.body)["minProvisionedTPS"] == 1


def test_preview_runtime_ranking_goes_out_as_json_1_1():
    runtime = preview_session().client("personalize-runtime")
    transport = FakeTransport(runtime, {"personalizedRanking": [{"itemId": "3"}, {"itemId": "1"}]})
    ranked = runtime.personalize_ranking(campaignArn=CAMPAIGN_ARN, userId="7",
                                         inputList=["1", "2", "3"])
    assert [i["itemId"] for i in ranked["personalizedRanking"]] == ["3", "1"]
    assert target_of(transport.last) == "AWSConciergeRoutingService.PersonalizeRanking"
    with pytest.raises(ParamValidationError, match='Missing required parameter in input: "userId"'):
        runtime.personalize_ranking(campaignArn=CAMPAIGN_ARN, inputList=["1"])
