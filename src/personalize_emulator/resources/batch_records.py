"""Records of domain recommenders and batch jobs (same conventions as ``records.py``).

Python values only; handlers shape them for the wire. Every record has ``arn``, ``name``,
``created``, ``updated``, ``status`` / ``failure_reason``, and the parent link generic checks
read: ``dataset_group_arn`` for recommenders (a group with recommenders cannot be deleted),
``solution_version_arn`` for batch jobs, and ``filter_arn`` (DeleteFilter is refused while a
batch job using the filter runs). Configuration documents the client sends
(``recommenderConfig``, ``batchInferenceJobConfig``, ``jobInput`` ...) are kept as sent.

Every record starts in ``CREATE PENDING``, like the pipeline's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .records import PENDING, StatusRecord, SubUpdate


@dataclass(kw_only=True)
class RecommenderUpdate(SubUpdate):
    """``latestRecommenderUpdate``: the requested configuration and the update's progress."""

    recommender_config: dict[str, Any] | None = None


@dataclass(kw_only=True)
class RecommenderRecord(StatusRecord):
    """``recommender_config`` is the configuration serving now; an update replaces it only
    when it reaches ACTIVE, so the old one answers requests meanwhile."""

    status: str | None = PENDING
    dataset_group_arn: str
    recipe_arn: str
    recommender_config: dict[str, Any] | None = None  # as sent
    model_metrics: dict[str, float] | None = None
    model_dir: str | None = None  # where the trained model was saved
    trained_at: float | None = None  # epoch seconds when the training read the data
    latest_update: RecommenderUpdate | None = None
    # Weekly retraining (``schedule``): when the next one is due (set when a model is
    # published) and the interaction data the serving model was trained on.
    retrain_at: datetime | None = None
    trained_data: str | None = None


@dataclass(kw_only=True)
class BatchJobRecord(StatusRecord):
    """What batch inference and batch segment jobs share."""

    status: str | None = PENDING
    solution_version_arn: str
    dataset_group_arn: str
    job_input: dict[str, Any]  # as sent: {"s3DataSource": {"path": ..., "kmsKeyArn": ...}}
    job_output: dict[str, Any]  # as sent: {"s3DataDestination": {...}}
    role_arn: str
    filter_arn: str | None = None
    num_results: int | None = None  # as sent (None: the default applies)
    outputs_written: list[str] = field(default_factory=list)  # URIs of the .out files
    lines_answered: int = 0
    lines_failed: int = 0


@dataclass(kw_only=True)
class BatchInferenceJobRecord(BatchJobRecord):
    batch_inference_job_config: dict[str, Any] | None = None  # as sent
    mode: str = "BATCH_INFERENCE"
    theme_generation_config: dict[str, Any] | None = None  # as sent


@dataclass(kw_only=True)
class BatchSegmentJobRecord(BatchJobRecord):
    pass
