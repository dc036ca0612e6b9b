"""Helpers of the batch job tests: a Custom dataset group (Interactions, Items with names, Users)
loaded from a planted world through boto3, solution versions, and JSON-lines files in moto S3."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from personalize_emulator.engines.synthetic import Planted, planted
from support import ACCOUNT, avro, load_dataset
from support import RECIPE as RECIPE
from support import error_of as error_of

BUCKET = "batch-data"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/PersonalizeRole"
#: Words item names of cluster k are made of (k < 6).
WORDS = [
    ["space", "rocket", "alien", "galaxy", "orbit", "planet"],
    ["love", "wedding", "romance", "heart", "kiss", "date"],
    ["murder", "detective", "crime", "clue", "police", "trial"],
    ["dragon", "wizard", "magic", "castle", "quest", "sword"],
    ["laugh", "comedy", "joke", "prank", "party", "funny"],
    ["war", "soldier", "battle", "army", "tank", "front"],
]


SCHEMAS = {
    "Interactions": avro("Interactions", ("USER_ID", "string"), ("ITEM_ID", "string"),
                         ("TIMESTAMP", "long"), ("EVENT_TYPE", "string")),
    "Items": avro("Items", ("ITEM_ID", "string"), ("GENRE", "string", {"categorical": True}),
                  ("ITEM_NAME", ["null", "string"])),
    "Users": avro("Users", ("USER_ID", "string"), ("SEGMENT", "string", {"categorical": True})),
}  # fmt: skip


def world(seed: int = 0) -> Planted:
    return planted(seed, n_users=150, n_trending=0)


def frames(w: Planted) -> dict[str, pd.DataFrame]:
    items = w.data.items.frame[["ITEM_ID", "GENRE"]].copy()
    names = []
    for item in items["ITEM_ID"]:
        k = w.item_cluster.get(item)
        if k is None:
            names.append(f"hit {item}" if item.startswith("pop") else None)
            continue
        j = w.cluster_items[k].index(item)
        words = WORDS[k]
        names.append(f"The {words[j % 6]} and the {words[(j + 2) % 6]}")
    items["ITEM_NAME"] = names
    return {
        "Interactions": w.data.interactions[["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"]],
        "Items": items,
        "Users": w.data.users.frame[["USER_ID", "SEGMENT"]],
    }


@dataclass
class Batch:
    """boto3 clients of one door, a loaded group, and helpers for batch jobs."""

    aws: Any
    personalize: Any
    s3: Any
    group: str = ""
    datasets: dict[str, str] = field(default_factory=dict)

    @classmethod
    def open(cls, aws: Any) -> Batch:
        s3 = aws.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        return cls(aws, aws.client("personalize"), s3)

    def load(self, w: Planted, name: str = "movies") -> str:
        p = self.personalize
        self.group = p.create_dataset_group(name=name)["datasetGroupArn"]
        for dataset_type, frame in frames(w).items():
            self.datasets[dataset_type] = load_dataset(
                p, self.s3, group=self.group, name=name, dataset_type=dataset_type,
                schema=SCHEMAS[dataset_type], csv=frame.to_csv(index=False).encode(),
                bucket=BUCKET, key=f"data/{dataset_type}.csv", role=ROLE,
            )  # fmt: skip
        return self.group

    def version(self, name: str, recipe: str, **kwargs: Any) -> str:
        p = self.personalize
        solution = p.create_solution(name=name, datasetGroupArn=self.group,
                                     recipeArn=RECIPE + recipe, **kwargs)["solutionArn"]  # fmt: skip
        arn = p.create_solution_version(solutionArn=solution)["solutionVersionArn"]
        described = p.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]
        assert described["status"] == "ACTIVE", described
        return arn

    def filter(self, name: str, expression: str) -> str:
        arn = self.personalize.create_filter(name=name, datasetGroupArn=self.group,
                                             filterExpression=expression)["filterArn"]  # fmt: skip
        return arn

    def put(self, key: str, body: str | bytes) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=data)
        return f"s3://{BUCKET}/{key}"

    def lines(self, key: str, lines: list[Any]) -> str:
        """Upload JSON lines; a ``str`` entry is written as is (e.g. a malformed line)."""
        text = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
        return self.put(key, text)

    def read(self, key: str) -> list[dict]:
        body = self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
        return [json.loads(line) for line in body.splitlines()]

    def inference(self, name: str, version: str, input_uri: str, **kwargs: Any) -> dict:
        arn = self.personalize.create_batch_inference_job(
            jobName=name, solutionVersionArn=version, roleArn=ROLE,
            jobInput={"s3DataSource": {"path": input_uri}},
            jobOutput={"s3DataDestination": {"path": f"s3://{BUCKET}/out/{name}/"}}, **kwargs,
        )["batchInferenceJobArn"]  # fmt: skip
        return self.personalize.describe_batch_inference_job(batchInferenceJobArn=arn)[
            "batchInferenceJob"
        ]

    def segments(self, name: str, version: str, input_uri: str, **kwargs: Any) -> dict:
        arn = self.personalize.create_batch_segment_job(
            jobName=name, solutionVersionArn=version, roleArn=ROLE,
            jobInput={"s3DataSource": {"path": input_uri}},
            jobOutput={"s3DataDestination": {"path": f"s3://{BUCKET}/out/{name}/"}}, **kwargs,
        )["batchSegmentJobArn"]  # fmt: skip
        return self.personalize.describe_batch_segment_job(batchSegmentJobArn=arn)[
            "batchSegmentJob"
        ]
