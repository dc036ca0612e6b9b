"""Dataclass records for the resources of the first control-plane slice, and their shared base.

Records hold Python values only (``str``, ``datetime``, ``dict``, ``None``): no camelCase, no
wire shapes. Handlers turn them into wire dicts. Conventions other resource families follow so
that generic checks (delete refusals, listing by parent) can read any record:

* every record has ``arn``, ``name``, ``created`` and ``updated``;
* records with a lifecycle have ``status`` and ``failure_reason``;
* a record that belongs to a dataset group has ``dataset_group_arn``; one that belongs to a
  dataset has ``dataset_arn``; one that belongs to a solution has ``solution_arn``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from . import clock


def now() -> datetime:
    return clock.now()  # the emulated clock: real time unless a user moved it forward


PENDING = "CREATE PENDING"


@dataclass(kw_only=True)
class Stamped:
    """``created`` and ``updated`` (which starts equal to ``created``), for records and the
    ``latest*Update`` sub-records alike."""

    created: datetime = field(default_factory=now)
    updated: datetime | None = None

    def __post_init__(self) -> None:
        if self.updated is None:
            self.updated = self.created

    def touch(self) -> None:
        self.updated = now()


@dataclass(kw_only=True)
class Record(Stamped):
    arn: str
    name: str


@dataclass(kw_only=True)
class StatusRecord(Record):
    status: str | None = None  # set by the job runner: CREATE PENDING first
    failure_reason: str | None = None


@dataclass(kw_only=True)
class SchemaRecord(Record):
    schema: str  # the Avro JSON text exactly as the client sent it
    domain: str | None = None


@dataclass(kw_only=True)
class DatasetGroupRecord(StatusRecord):
    domain: str | None = None
    role_arn: str | None = None
    kms_key_arn: str | None = None


@dataclass(kw_only=True)
class SubUpdate(Stamped):
    """A ``latest*Update`` sub-record: one update's progress, walked by the runner's update
    path. ``status`` None means the update drives its parent record itself (see campaigns)."""

    status: str | None = PENDING
    failure_reason: str | None = None


@dataclass(kw_only=True)
class DatasetUpdate(SubUpdate):
    """``latestDatasetUpdate``: the last UpdateDataset (schema replacement) and its progress."""

    status: str | None = None  # set by the runner's update path
    schema_arn: str


@dataclass(kw_only=True)
class DatasetRecord(StatusRecord):
    dataset_group_arn: str
    dataset_type: str  # upper case: INTERACTIONS, ITEMS, USERS, ACTIONS, ACTION_INTERACTIONS
    schema_arn: str
    tracking_id: str | None = None  # Action_Interactions datasets only (PutActionInteractions)
    latest_update: DatasetUpdate | None = None
