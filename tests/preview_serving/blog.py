"""The 2018 blog's boto3 calls, in its order and with its arguments (Python 3 syntax).

Each poll loop is the blog's, minus ``time.sleep(60)``: a test asserts instead that the first
describe already shows a terminal status (the emulator's sync job mode), and records every
status it saw. Create* and GetMetrics responses go through ``json.dumps`` as the blog prints
them, so a ``datetime`` in any of them would fail here as it would in the blog.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

recipe_list = [
    "arn:aws:personalize:::recipe/awspersonalizehrnnmodel",
    "arn:aws:personalize:::recipe/awspersonalizedeepfmmodel",
    "arn:aws:personalize:::recipe/awspersonalizesimsmodel",
    "arn:aws:personalize:::recipe/awspersonalizeffnnmodel",
    "arn:aws:personalize:::recipe/popularity-baseline",
]
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
TERMINAL = ("ACTIVE", "CREATE FAILED")
bucket = BUCKET = "personalize-demo"
filename = FILENAME = "DEMO-movie-lens-100k.csv"
#: the blog never defines role_arn (its IAM cells were cut); the harness supplies one
ROLE_ARN = "arn:aws:iam::123456789012:role/PersonalizeS3Role"


@dataclass
class BlogRun:
    arns: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, list[str]] = field(default_factory=dict)
    printed: list[str] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    user_id: Any = None
    item_id: Any = None
    item_list: list[dict[str, str]] = field(default_factory=list)
    title_list: list[str] = field(default_factory=list)


def _poll(describe, read, run: BlogRun, what: str) -> str:
    seen = run.statuses.setdefault(what, [])
    status = None
    while len(seen) < 3:  # the blog waits up to 3 hours; the emulator owes an answer at once
        status = read(describe())
        seen.append(status)
        if status == "ACTIVE" or status == "CREATE FAILED":
            break
    return status


def run_blog(personalize, personalize_runtime, data: pd.DataFrame, items: pd.DataFrame,
             bucket: str, filename: str, role_arn: str, recipe_arn: str,
             seed: int = 0) -> BlogRun:  # fmt: skip
    run = BlogRun()

    def show(response: dict) -> None:
        body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
        run.printed.append(json.dumps(body, indent=2))

    create_schema_response = personalize.create_schema(
        name="DEMO-schema", schema=json.dumps(schema)
    )
    schema_arn = create_schema_response["schemaArn"]
    show(create_schema_response)

    create_dataset_group_response = personalize.create_dataset_group(name="DEMO-dataset-group")
    dataset_group_arn = create_dataset_group_response["datasetGroupArn"]
    show(create_dataset_group_response)
    _poll(lambda: personalize.describe_dataset_group(datasetGroupArn=dataset_group_arn),
          lambda r: r["datasetGroup"]["status"], run, "DatasetGroup")  # fmt: skip

    dataset_type = "INTERACTIONS"
    create_dataset_response = personalize.create_dataset(
        datasetType=dataset_type, datasetGroupArn=dataset_group_arn, schemaArn=schema_arn
    )
    dataset_arn = create_dataset_response["datasetArn"]
    show(create_dataset_response)

    create_dataset_import_job_response = personalize.create_dataset_import_job(
        jobName="DEMO-dataset-import-job",
        datasetArn=dataset_arn,
        dataSource={"dataLocation": "s3://{}/{}".format(bucket, filename)},  # noqa: UP032
        roleArn=role_arn,
    )
    dataset_import_job_arn = create_dataset_import_job_response["datasetImportJobArn"]
    show(create_dataset_import_job_response)

    def import_status(response: dict) -> str:
        dataset_import_job = response["datasetImportJob"]
        if "latestDatasetImportJobRun" not in dataset_import_job:
            return dataset_import_job["status"]
        return dataset_import_job["latestDatasetImportJobRun"]["status"]

    _poll(lambda: personalize.describe_dataset_import_job(
        datasetImportJobArn=dataset_import_job_arn), import_status, run, "LatestDatasetImportJobRun")  # fmt: skip

    create_solution_response = personalize.create_solution(
        name="DEMO-solution", datasetGroupArn=dataset_group_arn, recipeArn=recipe_arn, minTPS=1
    )
    solution_arn = create_solution_response["solutionArn"]
    show(create_solution_response)
    _poll(lambda: personalize.describe_solution(solutionArn=solution_arn),
          lambda r: r["solution"]["status"], run, "Solution")  # fmt: skip

    get_metrics_response = personalize.get_metrics(solutionArn=solution_arn)
    show(get_metrics_response)
    run.metrics = get_metrics_response["metrics"]

    create_campaign_response = personalize.create_campaign(
        name="DEMO-campaign", solutionArn=solution_arn, updateMode="MANUAL"
    )
    campaign_arn = create_campaign_response["campaignArn"]
    show(create_campaign_response)
    _poll(lambda: personalize.describe_campaign(campaignArn=campaign_arn),
          lambda r: r["campaign"]["status"], run, "Campaign")  # fmt: skip

    user_id, item_id, _ = data.sample(random_state=seed).values[0]
    get_recommendations_response = personalize_runtime.get_recommendations(
        campaignArn=campaign_arn, userId=str(user_id), itemId=str(item_id)
    )
    item_list = get_recommendations_response["itemList"]
    # np.int is gone from NumPy; np.int64 is what the blog's lookup needs
    run.title_list = [
        items.loc[items["ITEM_ID"] == np.int64(item["itemId"])].values[0][-1] for item in item_list
    ]
    run.printed.append(json.dumps(run.title_list, indent=2))
    run.arns = {
        "schema": schema_arn, "datasetGroup": dataset_group_arn, "dataset": dataset_arn,
        "importJob": dataset_import_job_arn, "solution": solution_arn, "campaign": campaign_arn,
    }  # fmt: skip
    run.user_id, run.item_id, run.item_list = user_id, item_id, item_list
    return run
