"""Helpers of the pipeline tests: planted data as CSV in moto S3, and a dataset group built
through boto3 the way a user would build it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from personalize_emulator.engines.synthetic import Planted, planted
from support import ACCOUNT, avro
from support import RECIPE as RECIPE
from support import error_of as error_of

BUCKET = "pipeline-data"  # not a service prefix: path-style and virtual-host both work
ROLE = f"arn:aws:iam::{ACCOUNT}:role/PersonalizeRole"
TERMINAL = {"ACTIVE", "CREATE FAILED", "CREATE STOPPED"}


INTERACTIONS = avro(
    "Interactions",
    ("USER_ID", "string"),
    ("ITEM_ID", "string"),
    ("TIMESTAMP", "long"),
    ("EVENT_TYPE", "string"),
    ("EVENT_VALUE", ["null", "float"]),
)
ITEMS = avro("Items", ("ITEM_ID", "string"), ("GENRE", "string", {"categorical": True}))


def world(seed: int = 0, n_users: int = 150, **kwargs: Any) -> Planted:
    """A planted world of ~1,700 interactions: clusters walked as chains, plus popular items."""
    return planted(seed, n_users=n_users, n_trending=0, **kwargs)


def interactions_csv(frame: pd.DataFrame) -> bytes:
    cols = ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE"]
    return frame[cols].to_csv(index=False).encode()


def wait_until(read: Callable[[], dict], done: Callable[[dict], bool], timeout: float = 120):
    """Poll ``read()`` until ``done(result)``; the timeout only guards against a hang."""
    deadline = time.monotonic() + timeout
    while True:
        result = read()
        if done(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout}s: {result}")
        time.sleep(0.02)


@dataclass
class Pipeline:
    """boto3 clients of one door plus the resources a test builds step by step."""

    aws: Any
    personalize: Any
    runtime: Any
    s3: Any
    group: str = ""
    interactions: str = ""

    @classmethod
    def open(cls, aws: Any) -> Pipeline:
        s3 = aws.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        return cls(aws, aws.client("personalize"), aws.client("personalize-runtime"), s3)

    def upload(self, key: str, body: bytes) -> str:
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
        return f"s3://{BUCKET}/{key}"

    def dataset_group(self, name: str = "movies") -> str:
        p = self.personalize
        schema = p.create_schema(name=f"{name}-interactions", schema=INTERACTIONS)["schemaArn"]
        self.group = p.create_dataset_group(name=name)["datasetGroupArn"]
        self.interactions = p.create_dataset(
            name=f"{name}-interactions",
            schemaArn=schema,
            datasetGroupArn=self.group,
            datasetType="Interactions",
        )["datasetArn"]
        return self.group

    def import_job(self, name: str, location: str, mode: str | None = None) -> dict:
        kwargs = {"importMode": mode} if mode else {}
        arn = self.personalize.create_dataset_import_job(
            jobName=name,
            datasetArn=self.interactions,
            dataSource={"dataLocation": location},
            roleArn=ROLE,
            **kwargs,
        )["datasetImportJobArn"]
        return self.wait_job(arn)

    def wait_job(self, arn: str) -> dict:
        return wait_until(
            lambda: self.personalize.describe_dataset_import_job(datasetImportJobArn=arn)[
                "datasetImportJob"
            ],
            lambda job: job["status"] in TERMINAL,
        )

    def load(self, frame: pd.DataFrame, name: str = "movies") -> str:
        """Group + Interactions dataset + one FULL import of ``frame``; returns the group."""
        self.dataset_group(name)
        job = self.import_job(f"{name}-import", self.upload(f"{name}.csv", interactions_csv(frame)))
        assert job["status"] == "ACTIVE", job
        return self.group

    def solution(self, name: str, recipe: str | None = None, **kwargs: Any) -> str:
        if recipe is not None:
            kwargs["recipeArn"] = RECIPE + recipe
        return self.personalize.create_solution(name=name, datasetGroupArn=self.group, **kwargs)[
            "solutionArn"
        ]

    def version(self, solution: str, **kwargs: Any) -> dict:
        arn = self.personalize.create_solution_version(solutionArn=solution, **kwargs)[
            "solutionVersionArn"
        ]
        return self.wait_version(arn)

    def wait_version(self, arn: str) -> dict:
        return wait_until(
            lambda: self.personalize.describe_solution_version(solutionVersionArn=arn)[
                "solutionVersion"
            ],
            lambda v: v["status"] in TERMINAL,
        )

    def campaign(self, name: str, version_arn: str, **kwargs: Any) -> dict:
        arn = self.personalize.create_campaign(name=name, solutionVersionArn=version_arn, **kwargs)[
            "campaignArn"
        ]
        return self.wait_campaign(arn)

    def wait_campaign(self, arn: str) -> dict:
        return wait_until(
            lambda: self.personalize.describe_campaign(campaignArn=arn)["campaign"],
            lambda c: (
                c["status"] in TERMINAL
                and c.get("latestCampaignUpdate", {}).get("status", "ACTIVE") in TERMINAL
            ),
        )

    def recommend(self, campaign: str, **kwargs: Any) -> list[str]:
        answer = self.runtime.get_recommendations(campaignArn=campaign, **kwargs)
        return [item["itemId"] for item in answer["itemList"]]
