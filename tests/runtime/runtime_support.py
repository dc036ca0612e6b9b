"""A small shop built through boto3 for the runtime tests: planted interactions, an Items
table with a genre per cluster, an event tracker, and helpers to train and deploy."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from personalize_emulator.engines.synthetic import Planted, planted, planted_actions
from support import ACCOUNT, avro, load_dataset
from support import RECIPE as RECIPE
from support import error_of as error_of

BUCKET = "runtime-data"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/PersonalizeRole"


SCHEMAS = {
    "Interactions": avro("Interactions", ("USER_ID", "string"), ("ITEM_ID", "string"),
                         ("TIMESTAMP", "long"), ("EVENT_TYPE", "string"),
                         ("EVENT_VALUE", ["null", "float"])),  # fmt: skip
    "Items": avro("Items", ("ITEM_ID", "string"), ("GENRE", "string", {"categorical": True}),
                  ("PRICE", ["null", "float"]), ("STOCK", ["null", "int"])),  # fmt: skip
    "Actions": avro("Actions", ("ACTION_ID", "string"), ("VALUE", ["null", "long"]),
                    ("EXPIRATION_TIMESTAMP", ["null", "long"]),
                    ("CATEGORY", ["null", "string"], {"categorical": True})),  # fmt: skip
    "Action_Interactions": avro("Action_Interactions", ("USER_ID", "string"),
                                ("ACTION_ID", "string"), ("TIMESTAMP", "long"),
                                ("EVENT_TYPE", "string")),  # fmt: skip
}


def small_world(n_users: int = 110, actions: bool = False) -> Planted:
    """Four clusters of eight items walked as chains, plus three popular items (~1,100
    interactions: the service's minimum is 1,000)."""
    make = planted_actions if actions else planted
    return make(0, n_users=n_users, n_trending=0, n_clusters=4, items_per_cluster=8)


def items_frame(w: Planted) -> pd.DataFrame:
    """Every interacted item with its cluster's genre; PRICE k + 0.5 and STOCK 10 * k."""
    rows = []
    for k, chain in enumerate(w.cluster_items):
        rows += [(item, w.genres[k], k + 0.5, 10 * k) for item in chain]
    rows += [(item, "popular", 1.0, None) for item in w.popular_items]
    frame = pd.DataFrame(rows, columns=["ITEM_ID", "GENRE", "PRICE", "STOCK"])
    return frame.astype({"STOCK": "Int64"})


def _actions_frame(world: Planted) -> pd.DataFrame | None:
    """The planted actions; the live ones expire a year from now (serving compares with the
    wall clock), the expired one keeps its past expiration."""
    if world.data.actions is None:
        return None
    frame = world.data.actions.frame.astype({"VALUE": "Int64"})
    live = frame["ACTION_ID"].isin(world.actions)
    frame.loc[live, "EXPIRATION_TIMESTAMP"] = int(time.time()) + 365 * 86_400
    return frame


@dataclass
class Shop:
    """boto3 clients of one door plus the dataset group the runtime tests serve from."""

    aws: Any
    world: Planted
    personalize: Any
    runtime: Any
    events: Any
    s3: Any
    group: str = ""
    datasets: dict[str, str] = field(default_factory=dict)
    tracking_id: str = ""

    @classmethod
    def build(cls, aws: Any, world: Planted, name: str = "shop",
              types: tuple[str, ...] = ("Interactions", "Items")) -> Shop:  # fmt: skip
        s3 = aws.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        shop = cls(aws, world, aws.client("personalize"), aws.client("personalize-runtime"),
                   aws.client("personalize-events"), s3)  # fmt: skip
        p = shop.personalize
        shop.group = p.create_dataset_group(name=name)["datasetGroupArn"]
        frames = {
            "Interactions": world.data.interactions,
            "Items": items_frame(world),
            "Actions": _actions_frame(world),
            "Action_Interactions": world.data.action_interactions,
        }
        for dataset_type in types:
            columns = [f["name"] for f in json.loads(SCHEMAS[dataset_type])["fields"]]
            csv = frames[dataset_type].reindex(columns=columns).to_csv(index=False).encode()
            shop.datasets[dataset_type] = load_dataset(
                p, s3, group=shop.group, name=name, dataset_type=dataset_type,
                schema=SCHEMAS[dataset_type], csv=csv, bucket=BUCKET,
                key=f"{name}/{dataset_type}.csv", role=ROLE,
            )  # fmt: skip
        shop.tracking_id = p.create_event_tracker(name=f"{name}-tracker",
                                                  datasetGroupArn=shop.group)["trackingId"]  # fmt: skip
        return shop

    def deploy(self, name: str, recipe: str, campaign_config: dict | None = None,
               **solution: Any) -> str:  # fmt: skip
        """Solution + version + campaign (sync job mode: ACTIVE when the calls return)."""
        p = self.personalize
        arn = p.create_solution(name=name, datasetGroupArn=self.group,
                                recipeArn=RECIPE + recipe, **solution)["solutionArn"]  # fmt: skip
        version = p.create_solution_version(solutionArn=arn)["solutionVersionArn"]
        described = p.describe_solution_version(solutionVersionArn=version)["solutionVersion"]
        assert described["status"] == "ACTIVE", described
        kwargs = {"campaignConfig": campaign_config} if campaign_config else {}
        campaign = p.create_campaign(name=name, solutionVersionArn=version, **kwargs)
        return campaign["campaignArn"]

    def filter(self, name: str, expression: str, group: str | None = None) -> str:
        return self.personalize.create_filter(name=name, datasetGroupArn=group or self.group,
                                              filterExpression=expression)["filterArn"]  # fmt: skip

    def put(self, session: str, items: list[str], *, user: str | None = None,
            event_type: str = "click", start: float | None = None) -> None:  # fmt: skip
        """One PutEvents call: ``items`` clicked in order in ``session``."""
        start = time.time() if start is None else start
        event_list = [{"eventType": event_type, "itemId": item, "sentAt": start + k,
                       "eventId": f"{session}-{event_type}-{k}-{item}"}
                      for k, item in enumerate(items)]  # fmt: skip
        kwargs = {"userId": user} if user else {}
        for chunk in range(0, len(event_list), 10):
            self.events.put_events(trackingId=self.tracking_id, sessionId=session,
                                   eventList=event_list[chunk:chunk + 10], **kwargs)  # fmt: skip

    def recommend(self, campaign: str, **kwargs: Any) -> list[str]:
        answer = self.runtime.get_recommendations(campaignArn=campaign, **kwargs)
        return [entry["itemId"] for entry in answer["itemList"]]
