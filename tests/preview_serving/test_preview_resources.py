"""Preview-dialect schemas, dataset groups, datasets, recipes and import jobs on both doors.

Every resource is one record seen through two dialects: what the preview creates, GA
describes, and the other way round.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from blog import BUCKET, ROLE_ARN
from botocore.exceptions import ClientError

from personalize_emulator import config

ACCOUNT = "123456789012"
PREFIX = f"arn:aws:personalize:us-east-1:{ACCOUNT}"
SCHEMA = json.dumps(
    {
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
)
PREVIEW_RECIPES = {
    "awspersonalizehrnnmodel", "awspersonalizehrnnmodel-for-metadata",
    "awspersonalizehrnnmodel-for-coldstart", "awspersonalizesimsmodel", "popularity-baseline",
    "awspersonalizedeepfmmodel", "awspersonalizeffnnmodel", "search-personalization",
}  # fmt: skip


def error_of(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    err = exc.value.response["Error"]
    return err["Code"], err["Message"]


def setup_dataset(p) -> tuple[str, str]:
    schema_arn = p.create_schema(name="DEMO-schema", schema=SCHEMA)["schemaArn"]
    group = p.create_dataset_group(name="DEMO-dataset-group")["datasetGroupArn"]
    dataset = p.create_dataset(
        datasetType="INTERACTIONS", datasetGroupArn=group, schemaArn=schema_arn
    )["datasetArn"]
    return group, dataset


def test_schema_group_dataset_shared_with_ga(clients):
    p, ga = clients.personalize, clients.ga
    group, dataset = setup_dataset(p)
    assert dataset == f"{PREFIX}:dataset/DEMO-dataset-group/INTERACTIONS"
    assert p.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]["status"] == "ACTIVE"
    preview_view = p.describe_dataset(datasetArn=dataset)["dataset"]
    assert "name" not in preview_view
    assert preview_view["datasetType"] == "INTERACTIONS" and preview_view["status"] == "ACTIVE"
    ga_view = ga.describe_dataset(datasetArn=dataset)["dataset"]
    assert ga_view["name"] == "DEMO-dataset-group-INTERACTIONS"
    assert ga_view["schemaArn"] == preview_view["schemaArn"] == f"{PREFIX}:schema/DEMO-schema"
    # ... and GA-made resources show through the preview, without GA-only members
    ga.create_schema(name="users", schema=SCHEMA.replace("Interactions", "Users").replace(
        ', {"name": "ITEM_ID", "type": "string"}, {"name": "TIMESTAMP", "type": "long"}', ""))
    ga_group = ga.create_dataset_group(name="ga-group")["datasetGroupArn"]
    assert {s["name"] for s in p.list_schemas()["schemas"]} == {"DEMO-schema", "users"}
    groups = p.list_dataset_groups()["datasetGroups"]
    assert {g["datasetGroupArn"] for g in groups} == {group, ga_group}
    assert all("domain" not in g for g in groups)
    [summary] = p.list_datasets(datasetGroupArn=group)["datasets"]
    assert summary["datasetArn"] == dataset and "name" not in summary


def test_create_dataset_types(clients):
    p = clients.personalize
    schema_arn = p.create_schema(name="s", schema=SCHEMA)["schemaArn"]
    group = p.create_dataset_group(name="g")["datasetGroupArn"]
    arn = p.create_dataset(datasetType="interactions", datasetGroupArn=group, schemaArn=schema_arn)
    assert arn["datasetArn"].endswith("dataset/g/INTERACTIONS")
    with pytest.raises(ClientError) as exc:
        p.create_dataset(datasetType="INTERACTIONS", datasetGroupArn=group, schemaArn=schema_arn)
    assert error_of(exc)[0] == "ResourceAlreadyExistsException"
    with pytest.raises(ClientError) as exc:
        p.create_dataset(datasetType="ACTIONS", datasetGroupArn=group, schemaArn=schema_arn)
    assert error_of(exc) == (
        "InvalidInputException",
        "Invalid parameter datasetType: 'ACTIONS' is not one of INTERACTIONS, USERS, ITEMS.",
    )
    assert len(p.list_datasets(datasetGroupArn=group)["datasets"]) == 1


def test_delete_through_preview(clients):
    p, ga = clients.personalize, clients.ga
    group, dataset = setup_dataset(p)
    p.delete_dataset(datasetArn=dataset)
    with pytest.raises(ClientError) as exc:
        ga.describe_dataset(datasetArn=dataset)
    assert error_of(exc)[0] == "ResourceNotFoundException"
    p.delete_dataset_group(datasetGroupArn=group)
    p.delete_schema(schemaArn=f"{PREFIX}:schema/DEMO-schema")
    assert ga.list_dataset_groups()["datasetGroups"] == []
    assert ga.list_schemas()["schemas"] == []


def test_preview_recipe_catalogue(clients):
    p, ga = clients.personalize, clients.ga
    recipes = p.list_recipes()["recipes"]
    assert {r["name"] for r in recipes} == PREVIEW_RECIPES
    created = datetime(2018, 11, 25, tzinfo=timezone.utc)
    for r in recipes:
        assert r["recipeArn"] == f"arn:aws:personalize:::recipe/{r['name']}"
        assert r["status"] == "ACTIVE" and r["creationDateTime"] == created
    assert p.list_recipes(recipeProvider="BYOR")["recipes"] == []
    first = p.list_recipes(maxResults=5)
    rest = p.list_recipes(maxResults=5, nextToken=first["nextToken"])
    assert len(first["recipes"]) == 5 and len(rest["recipes"]) == 3 and "nextToken" not in rest
    sims = p.describe_recipe(recipeArn="arn:aws:personalize:::recipe/awspersonalizesimsmodel")
    assert sims["recipe"]["recipeType"] == "RELATED_ITEMS"
    for client, arn in (
        (p, "arn:aws:personalize:::recipe/aws-sims"),
        (ga, "arn:aws:personalize:::recipe/awspersonalizesimsmodel"),
    ):
        with pytest.raises(ClientError) as exc:
            client.describe_recipe(recipeArn=arn)
        assert error_of(exc) == ("ResourceNotFoundException", f"Resource Arn {arn} does not exist.")


def test_bad_next_token_is_invalid_input(clients):
    with pytest.raises(ClientError) as exc:
        clients.personalize.list_schemas(nextToken="not-a-token")
    assert error_of(exc)[0] == "InvalidInputException"
    assert "nextToken" in error_of(exc)[1]


def test_import_job_and_its_run(clients, uploaded, movielens):
    p, ga = clients.personalize, clients.ga
    _, dataset = setup_dataset(p)
    job_arn = p.create_dataset_import_job(
        jobName="DEMO-dataset-import-job",
        datasetArn=dataset,
        dataSource={"dataLocation": uploaded},
        roleArn=ROLE_ARN,
        datasetImportJobConfig={"importJobSchedule": "cron(0 12 * * ? *)"},
    )["datasetImportJobArn"]
    assert job_arn == f"{PREFIX}:dataset-import-job/DEMO-dataset-import-job"
    job = p.describe_dataset_import_job(datasetImportJobArn=job_arn)["datasetImportJob"]
    run = job["latestDatasetImportJobRun"]
    assert job["status"] == "ACTIVE" and run["status"] == "ACTIVE"
    assert job["roleArn"] == run["roleArn"] == ROLE_ARN
    assert job["datasetImportJobConfig"] == {"importJobSchedule": "cron(0 12 * * ? *)"}
    assert run["datasetImportJobRunArn"].startswith(
        f"{PREFIX}:dataset-import-job-run/DEMO-dataset-import-job/"
    )
    assert run["dataSource"] == {"dataLocation": uploaded} and run["datasetArn"] == dataset
    again = p.describe_dataset_import_job_run(datasetImportJobRunArn=run["datasetImportJobRunArn"])
    assert again["datasetImportJobRun"] == run
    [listed] = p.list_dataset_import_job_runs(datasetImportJobArn=job_arn)["datasetImportJobRuns"]
    assert listed["datasetImportJobRunArn"] == run["datasetImportJobRunArn"]
    assert listed["status"] == "ACTIVE"
    # GA sees the same job; the rows really landed
    assert ga.describe_dataset_import_job(datasetImportJobArn=job_arn)["datasetImportJob"][
        "status"
    ] == "ACTIVE"
    [summary] = p.list_dataset_import_jobs(datasetArn=dataset)["datasetImportJobs"]
    assert summary["jobName"] == "DEMO-dataset-import-job" and summary["status"] == "ACTIVE"
    assert run["creationDateTime"] <= run["lastUpdatedDateTime"]
    assert len(movielens.blog_frame()) >= 1000


def test_failed_import_is_a_failed_run(clients, uploaded):
    p = clients.personalize
    _, dataset = setup_dataset(p)
    missing = f"s3://{BUCKET}/no-such-file.csv"
    job_arn = p.create_dataset_import_job(
        jobName="broken", datasetArn=dataset, dataSource={"dataLocation": missing},
        roleArn=ROLE_ARN,
    )["datasetImportJobArn"]  # fmt: skip
    job = p.describe_dataset_import_job(datasetImportJobArn=job_arn)["datasetImportJob"]
    run = job["latestDatasetImportJobRun"]
    assert job["status"] == "ACTIVE"
    assert run["status"] == "CREATE FAILED" and missing in run["failureReason"]


def test_ga_import_has_a_preview_run(clients, uploaded):
    p, ga = clients.personalize, clients.ga
    _, dataset = setup_dataset(p)
    job_arn = ga.create_dataset_import_job(
        jobName="ga-job", datasetArn=dataset, dataSource={"dataLocation": uploaded}
    )["datasetImportJobArn"]
    job = p.describe_dataset_import_job(datasetImportJobArn=job_arn)["datasetImportJob"]
    assert job["latestDatasetImportJobRun"]["status"] == "ACTIVE"
    assert "roleArn" not in job and "datasetImportJobConfig" not in job


def test_run_lookups_refused(clients):
    p = clients.personalize
    with pytest.raises(ClientError) as exc:
        p.describe_dataset_import_job_run(datasetImportJobRunArn=f"{PREFIX}:schema/nope")
    assert error_of(exc)[0] == "InvalidInputException"
    assert "datasetImportJobRunArn" in error_of(exc)[1]
    missing = f"{PREFIX}:dataset-import-job-run/nope/0123abcd"
    with pytest.raises(ClientError) as exc:
        p.describe_dataset_import_job_run(datasetImportJobRunArn=missing)
    assert error_of(exc) == ("ResourceNotFoundException", f"Resource Arn {missing} does not exist.")
    with pytest.raises(ClientError) as exc:
        p.list_dataset_import_job_runs(datasetImportJobArn=f"{PREFIX}:dataset-import-job/nope")
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_pending_job_has_no_run_yet(clients, uploaded):
    p = clients.personalize
    _, dataset = setup_dataset(p)
    with config.override(job_mode="async", min_state_seconds=600):
        job_arn = p.create_dataset_import_job(
            jobName="slow", datasetArn=dataset, dataSource={"dataLocation": uploaded},
            roleArn=ROLE_ARN,
        )["datasetImportJobArn"]  # fmt: skip
        job = p.describe_dataset_import_job(datasetImportJobArn=job_arn)["datasetImportJob"]
    assert job["status"] == "CREATE PENDING" and "latestDatasetImportJobRun" not in job
    assert p.list_dataset_import_job_runs(datasetImportJobArn=job_arn)["datasetImportJobRuns"] == []


def test_role_arn_required_by_the_preview_model(clients):
    from botocore.exceptions import ParamValidationError

    with pytest.raises(ParamValidationError, match="roleArn"):
        clients.personalize.create_dataset_import_job(
            jobName="j", datasetArn=f"{PREFIX}:dataset/g/INTERACTIONS",
            dataSource={"dataLocation": f"s3://{BUCKET}/x.csv"},
        )  # fmt: skip


def test_event_tracker_keeps_its_role(clients):
    p, ga = clients.personalize, clients.ga
    group, _ = setup_dataset(p)
    out = p.create_event_tracker(name="tracker", roleArn=ROLE_ARN, datasetGroupArn=group)
    arn = out["eventTrackerArn"]
    tracker = p.describe_event_tracker(eventTrackerArn=arn)["eventTracker"]
    assert tracker["roleArn"] == ROLE_ARN and tracker["trackingId"] == out["trackingId"]
    assert tracker["datasetGroupArn"] == group and tracker["status"] == "ACTIVE"
    assert "roleArn" not in ga.describe_event_tracker(eventTrackerArn=arn)["eventTracker"]
    [summary] = p.list_event_trackers(datasetGroupArn=group)["eventTrackers"]
    assert summary["eventTrackerArn"] == arn
    p.delete_event_tracker(eventTrackerArn=arn)
    assert ga.list_event_trackers()["eventTrackers"] == []


@pytest.mark.parametrize("style", ["auto", "virtual", "path"])
def test_blog_upload_any_addressing_style(aws, clients, movielens, tmp_path, style):
    """The blog uploads with ``boto3.Session().resource('s3')...upload_file`` (default
    addressing); every addressing style reaches the same bucket on both doors."""
    import boto3
    from botocore.config import Config

    local = tmp_path / "DEMO-movie-lens-100k.csv"
    local.write_bytes(movielens.blog_csv())
    kwargs = {"region_name": "us-east-1", "config": Config(s3={"addressing_style": style})}
    if aws.endpoint_url:
        kwargs.update(endpoint_url=aws.endpoint_url, aws_access_key_id="testing",
                      aws_secret_access_key="testing")  # fmt: skip
    s3 = boto3.Session().resource("s3", **kwargs)
    s3.create_bucket(Bucket=BUCKET)
    s3.Bucket(BUCKET).Object(local.name).upload_file(str(local))
    _, dataset = setup_dataset(clients.personalize)
    job = clients.personalize.create_dataset_import_job(
        jobName="upload", datasetArn=dataset, roleArn=ROLE_ARN,
        dataSource={"dataLocation": f"s3://{BUCKET}/{local.name}"},
    )["datasetImportJobArn"]  # fmt: skip
    described = clients.personalize.describe_dataset_import_job(datasetImportJobArn=job)
    assert described["datasetImportJob"]["latestDatasetImportJobRun"]["status"] == "ACTIVE"
