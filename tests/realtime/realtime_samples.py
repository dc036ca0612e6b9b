"""Schemas and a small dataset-group builder shared by the real-time tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from support import ACCOUNT, avro
from support import REGION as REGION
from support import error_of as error_of

ROLE = f"arn:aws:iam::{ACCOUNT}:role/personalize"


INTERACTIONS = avro(
    "Interactions",
    ("USER_ID", "string"),
    ("ITEM_ID", "string"),
    ("TIMESTAMP", "long"),
    ("EVENT_TYPE", "string"),
    ("EVENT_VALUE", ["null", "float"]),
    ("IMPRESSION", ["null", "string"]),
    ("RECOMMENDATION_ID", ["null", "string"]),
    ("EVENT_ATTRIBUTION_SOURCE", ["null", "string"]),
    ("DEVICE", ["null", "string"], {"categorical": True}),
    ("RATING", ["null", "int"]),
)
ITEMS = avro(
    "Items",
    ("ITEM_ID", "string"),
    ("GENRES", "string", {"categorical": True}),
    ("PRICE", ["null", "float"]),
    ("DESCRIPTION", ["null", "string"], {"textual": True}),
    ("CREATION_TIMESTAMP", ["null", "long"]),
)
USERS = avro("Users", ("USER_ID", "string"), ("AGE", ["null", "int"]),
             ("TIER", ["null", "string"], {"categorical": True}))  # fmt: skip
ACTIONS = avro("Actions", ("ACTION_ID", "string"), ("VALUE", ["null", "long"]))
ACTION_INTERACTIONS = avro(
    "Action_Interactions",
    ("USER_ID", "string"),
    ("ACTION_ID", "string"),
    ("TIMESTAMP", "long"),
    ("EVENT_TYPE", "string"),
)

SCHEMAS = {
    "Interactions": INTERACTIONS,
    "Items": ITEMS,
    "Users": USERS,
    "Actions": ACTIONS,
    "Action_Interactions": ACTION_INTERACTIONS,
}


@dataclass
class Group:
    """A dataset group made through boto3, with the ARNs tests need."""

    arn: str
    name: str
    datasets: dict[str, str] = field(default_factory=dict)  # dataset type -> ARN
    tracker_arn: str | None = None
    tracking_id: str | None = None

    @classmethod
    def create(
        cls,
        aws: Any,
        personalize: Any,
        name: str,
        types: tuple[str, ...] = ("Interactions", "Items", "Users"),
        *,
        tracker: bool = False,
        schemas: dict[str, str] | None = None,
    ) -> Group:
        arn = personalize.create_dataset_group(name=name)["datasetGroupArn"]
        group = cls(arn=arn, name=name)
        for dataset_type in types:
            schema = personalize.create_schema(
                name=f"{name}-{dataset_type}", schema={**SCHEMAS, **(schemas or {})}[dataset_type]
            )["schemaArn"]
            group.datasets[dataset_type] = personalize.create_dataset(
                name=f"{name}-{dataset_type}", schemaArn=schema, datasetGroupArn=arn,
                datasetType=dataset_type,
            )["datasetArn"]  # fmt: skip
        if tracker:
            out = personalize.create_event_tracker(name=f"{name}-tracker", datasetGroupArn=arn)
            group.tracker_arn, group.tracking_id = out["eventTrackerArn"], out["trackingId"]
        return group

    def table(self, aws: Any, dataset_type: str) -> Any:
        """The DatasetTable behind one of the group's datasets."""
        from personalize_emulator.resources.datastore import table_for

        store = aws.store()
        with store.lock:
            return table_for(store, store.records["dataset"][self.datasets[dataset_type]])

    def rows(self, aws: Any, dataset_type: str, selection: str = "ALL") -> list[dict]:
        return self.table(aws, dataset_type).read_arrow(selection).to_pylist()

    def bulk_import(self, aws: Any, dataset_type: str, csv_text: str) -> None:
        """Load rows as bulk data the way an import job does (``data.import_csv``)."""
        from personalize_emulator.data import import_csv

        import_csv(self.table(aws, dataset_type), [csv_text.encode()], "FULL")


def status_of(excinfo: Any) -> int:
    return excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]
