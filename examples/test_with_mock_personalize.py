"""Testing your own Amazon Personalize code with ``@mock_personalize``.

Run it like any test file::

    python -m pytest examples/test_with_mock_personalize.py

``mock_personalize`` works like moto's ``mock_aws`` -- a decorator, a class decorator or a
context manager -- and mocks S3, IAM and STS alongside the three Personalize APIs. Inside it,
every boto3 client reaches the emulator, whatever its endpoint, and jobs run synchronously: a
``create_*`` call returns with its import done, its model trained or its campaign deployed, so
tests need no polling. Training is real, so recommendations follow the data you import.

The "application code" under test is the first part of this file; in your project it would be
imported from your package.
"""

from __future__ import annotations

import csv
import io
import json

import boto3
import pytest
from botocore.exceptions import ClientError

from personalize_emulator import mock_personalize

# --- your application code -----------------------------------------------------------------------


def import_interactions(personalize, s3, bucket: str, rows: list[tuple[str, str, int]], name: str) -> str:
    """Upload (user, item, timestamp) rows and import them into a new dataset group; return it."""
    body = io.StringIO()
    writer = csv.writer(body)
    writer.writerow(["USER_ID", "ITEM_ID", "TIMESTAMP"])
    writer.writerows(rows)
    s3.put_object(Bucket=bucket, Key=f"{name}/interactions.csv", Body=body.getvalue().encode())

    schema_arn = personalize.create_schema(
        name=f"{name}-interactions",
        schema=json.dumps({
            "type": "record",
            "name": "Interactions",
            "namespace": "com.amazonaws.personalize.schema",
            "fields": [
                {"name": "USER_ID", "type": "string"},
                {"name": "ITEM_ID", "type": "string"},
                {"name": "TIMESTAMP", "type": "long"},
            ],
            "version": "1.0",
        }),
    )["schemaArn"]
    group_arn = personalize.create_dataset_group(name=name)["datasetGroupArn"]
    dataset_arn = personalize.create_dataset(
        name=f"{name}-interactions",
        datasetGroupArn=group_arn,
        datasetType="Interactions",
        schemaArn=schema_arn,
    )["datasetArn"]
    job_arn = personalize.create_dataset_import_job(
        jobName=f"{name}-import",
        datasetArn=dataset_arn,
        dataSource={"dataLocation": f"s3://{bucket}/{name}/interactions.csv"},
        roleArn="arn:aws:iam::123456789012:role/PersonalizeS3Access",
    )["datasetImportJobArn"]
    job = personalize.describe_dataset_import_job(datasetImportJobArn=job_arn)["datasetImportJob"]
    if job["status"] != "ACTIVE":
        raise RuntimeError(f"import failed: {job.get('failureReason')}")
    return group_arn


def deploy(personalize, group_arn: str, name: str, recipe: str) -> str:
    """Train ``recipe`` on the group and deploy it; return the campaign ARN."""
    solution_arn = personalize.create_solution(
        name=name, datasetGroupArn=group_arn, recipeArn=f"arn:aws:personalize:::recipe/{recipe}"
    )["solutionArn"]
    version_arn = personalize.create_solution_version(solutionArn=solution_arn)[
        "solutionVersionArn"
    ]
    version = personalize.describe_solution_version(solutionVersionArn=version_arn)
    if version["solutionVersion"]["status"] != "ACTIVE":
        raise RuntimeError(f"training failed: {version['solutionVersion'].get('failureReason')}")
    return personalize.create_campaign(
        name=name, solutionVersionArn=version_arn, minProvisionedTPS=1
    )["campaignArn"]


def recommended_titles(runtime, campaign_arn: str, catalogue: dict[str, str], *, user_id=None,
                       item_id=None, count: int = 5) -> list[str]:
    """Titles of the top ``count`` recommendations, skipping items missing from ``catalogue``."""
    kwargs = {"userId": user_id} if user_id is not None else {"itemId": item_id}
    answer = runtime.get_recommendations(campaignArn=campaign_arn, numResults=count, **kwargs)
    return [catalogue[entry["itemId"]] for entry in answer["itemList"] if entry["itemId"] in catalogue]


# --- the tests ---------------------------------------------------------------------------------

BUCKET = "shop-data"
# two kinds of shoppers: hikers buy outdoor gear, cooks buy kitchenware; everyone buys batteries
CATALOGUE = {
    "tent": "Two-person tent", "boots": "Hiking boots", "stove": "Camping stove",
    "rope": "Climbing rope", "lamp": "Head lamp", "pack": "Backpack",
    "pan": "Cast-iron pan", "knife": "Chef's knife", "whisk": "Balloon whisk",
    "board": "Cutting board", "pot": "Stock pot", "scale": "Kitchen scale",
    "batteries": "AA batteries",
}
OUTDOOR = ["tent", "boots", "stove", "rope", "lamp", "pack"]
KITCHEN = ["pan", "knife", "whisk", "board", "pot", "scale"]


def purchases() -> list[tuple[str, str, int]]:
    rows = []
    t = 1_700_000_000
    for n in range(240):  # Personalize trains on 1,000 interactions or more
        basket = OUTDOOR if n % 2 == 0 else KITCHEN
        start = n % len(basket)
        for k in range(4):  # four items of the shopper's kind, in catalogue order
            t += 60
            rows.append((f"shopper-{n}", basket[(start + k) % len(basket)], t))
        t += 60
        rows.append((f"shopper-{n}", "batteries", t))
    return rows


@pytest.fixture
def aws():
    """Personalize, S3, IAM and STS mocked for one test, with the shop's data imported."""
    with mock_personalize():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        personalize = boto3.client("personalize", region_name="us-east-1")
        runtime = boto3.client("personalize-runtime", region_name="us-east-1")
        group = import_interactions(personalize, s3, BUCKET, purchases(), "shop")
        yield personalize, runtime, group


def test_everyone_gets_batteries_first_from_the_popularity_recipe(aws):
    personalize, runtime, group = aws
    campaign = deploy(personalize, group, "popular", "aws-popularity-count")
    titles = recommended_titles(runtime, campaign, CATALOGUE, user_id="somebody-new")
    assert titles[0] == "AA batteries"


def test_similar_items_stay_in_their_aisle(aws):
    personalize, runtime, group = aws
    campaign = deploy(personalize, group, "similar", "aws-sims")
    outdoor_titles = {CATALOGUE[item] for item in OUTDOOR}
    titles = recommended_titles(runtime, campaign, CATALOGUE, item_id="tent", count=4)
    assert titles and set(titles) <= outdoor_titles | {"AA batteries"}


@mock_personalize
def test_a_broken_schema_is_rejected_like_aws_does():
    personalize = boto3.client("personalize", region_name="us-east-1")
    with pytest.raises(ClientError) as caught:
        personalize.create_schema(name="broken", schema='{"type": "record"')
    assert caught.value.response["Error"]["Code"] == "InvalidInputException"
    assert personalize.list_schemas()["schemas"] == []


@mock_personalize
def test_a_missing_campaign_is_a_resource_not_found():
    runtime = boto3.client("personalize-runtime", region_name="us-east-1")
    with pytest.raises(runtime.exceptions.ResourceNotFoundException):
        runtime.get_recommendations(
            campaignArn="arn:aws:personalize:us-east-1:123456789012:campaign/nope", userId="u1"
        )
