"""Helpers of the recommender tests: Domain dataset groups built through boto3 from planted
worlds whose events carry the domain's event types."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from personalize_emulator.engines.synthetic import Planted, planted
from support import ACCOUNT, avro, load_dataset
from support import RECIPE as RECIPE
from support import error_of as error_of

BUCKET = "domain-data"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/PersonalizeRole"


INTERACTIONS = avro(
    "Interactions",
    ("USER_ID", "string"),
    ("ITEM_ID", "string"),
    ("TIMESTAMP", "long"),
    ("EVENT_TYPE", "string"),
)
ITEMS = {
    "VIDEO_ON_DEMAND": avro(
        "Items",
        ("ITEM_ID", "string"),
        ("CREATION_TIMESTAMP", "long"),
        ("GENRES", "string", {"categorical": True}),
    ),
    "ECOMMERCE": avro(
        "Items",
        ("ITEM_ID", "string"),
        ("PRICE", "float"),
        ("CATEGORY_L1", "string", {"categorical": True}),
    ),
}


def vod_world(seed: int = 0, event_types: tuple[str, ...] = ("Watch", "Watch", "Watch", "Click"),
              n_users: int = 200) -> Planted:  # fmt: skip
    """~2,000 events, three quarters ``Watch``: enough for every VOD use case."""
    return planted(seed, n_users=n_users, n_trending=0, event_types=event_types)


def ecomm_world(seed: int = 0) -> Planted:
    """~2,400 events: two thirds ``View`` (>= 1000), the rest ``Purchase`` (< 1000)."""
    return planted(seed, n_users=240, n_trending=0, event_types=("View", "View", "Purchase"))


def items_frame(world: Planted, domain: str) -> pd.DataFrame:
    frame = world.data.items.frame
    if domain == "VIDEO_ON_DEMAND":
        return pd.DataFrame({"ITEM_ID": frame["ITEM_ID"],
                             "CREATION_TIMESTAMP": frame["CREATION_TIMESTAMP"],
                             "GENRES": frame["GENRE"]})  # fmt: skip
    return pd.DataFrame({"ITEM_ID": frame["ITEM_ID"], "PRICE": 9.99,
                         "CATEGORY_L1": frame["GENRE"]})  # fmt: skip


@dataclass
class Domain:
    """boto3 clients of one door and a Domain dataset group loaded with a planted world."""

    aws: Any
    personalize: Any
    runtime: Any
    s3: Any
    group: str = ""
    datasets: dict[str, str] = field(default_factory=dict)

    @classmethod
    def open(cls, aws: Any) -> Domain:
        s3 = aws.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        return cls(aws, aws.client("personalize"), aws.client("personalize-runtime"), s3)

    def load(self, name: str, domain: str, world: Planted, *, items: bool = True) -> str:
        p = self.personalize
        self.group = p.create_dataset_group(name=name, domain=domain)["datasetGroupArn"]
        frames = {"Interactions": world.data.interactions[
            ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"]]}  # fmt: skip
        if items:
            frames["Items"] = items_frame(world, domain)
        for dataset_type, frame in frames.items():
            text = INTERACTIONS if dataset_type == "Interactions" else ITEMS[domain]
            self.datasets[dataset_type] = load_dataset(
                p, self.s3, group=self.group, name=name, dataset_type=dataset_type, schema=text,
                csv=frame.to_csv(index=False).encode(), bucket=BUCKET,
                key=f"{name}/{dataset_type}.csv", role=ROLE, domain=domain,
            )  # fmt: skip
        return self.group

    def recommender(self, name: str, recipe: str, **kwargs: Any) -> dict:
        """CreateRecommender, then its description (jobs run synchronously in the tests)."""
        arn = self.personalize.create_recommender(
            name=name, datasetGroupArn=self.group, recipeArn=RECIPE + recipe, **kwargs
        )["recommenderArn"]
        return self.describe(arn)

    def describe(self, arn: str) -> dict:
        return self.personalize.describe_recommender(recommenderArn=arn)["recommender"]

    def recommend(self, arn: str, **kwargs: Any) -> list[str]:
        answer = self.runtime.get_recommendations(recommenderArn=arn, **kwargs)
        return [entry["itemId"] for entry in answer["itemList"]]


def events_of(world: Planted, user: str, event_type: str) -> set[str]:
    frame = world.data.interactions
    rows = frame[(frame["USER_ID"] == user) & (frame["EVENT_TYPE"] == event_type)]
    return set(rows["ITEM_ID"])
