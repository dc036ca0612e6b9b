"""Records of the training pipeline: import jobs, solutions, solution versions, campaigns.

They follow ``records.py``: Python values only, ``arn``/``name``/``created``/``updated`` on
every record, ``status``/``failure_reason`` where there is a lifecycle, and the parent links the
generic checks read (``dataset_arn``, ``dataset_group_arn``, ``solution_arn``).

Configuration documents the client sends and the API echoes back unchanged
(``solutionConfig``, ``campaignConfig``, ``solutionUpdateConfig``) are kept as sent, like a
schema's Avro text: the emulator reads a few members of them (hyperparameters, thresholds,
exploration) through the helpers of the providers, and never rewrites them.

Every record the pipeline creates starts in ``CREATE PENDING``: the job runner's create path
only starts from a new record, so a live resource is never re-created by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .records import PENDING, StatusRecord, SubUpdate


@dataclass(kw_only=True)
class DatasetImportJobRecord(StatusRecord):
    status: str | None = PENDING
    dataset_arn: str
    data_location: str
    import_mode: str = "FULL"
    role_arn: str | None = None
    publish_attribution_metrics_to_s3: bool | None = None
    rows_imported: int | None = None


@dataclass(kw_only=True)
class SolutionUpdate(SubUpdate):
    solution_update_config: dict[str, Any] | None = None
    perform_auto_training: bool | None = None
    perform_incremental_update: bool | None = None


@dataclass(kw_only=True)
class SolutionRecord(StatusRecord):
    status: str | None = PENDING
    dataset_group_arn: str
    recipe_arn: str | None
    perform_hpo: bool = False
    perform_auto_ml: bool = False
    perform_auto_training: bool = True
    perform_incremental_update: bool = False
    event_type: str | None = None
    solution_config: dict[str, Any] | None = None  # as sent
    best_recipe_arn: str | None = None  # autoMLResult, once a version trained
    latest_update: SolutionUpdate | None = None
    # Automatic training (``schedule``): when the next automatic version is due (None: off or
    # not ACTIVE yet), whether that is the first one (a manual version within the hour skips
    # it), and the interaction data the last version of any kind was created on.
    auto_training_at: datetime | None = None
    auto_training_first: bool = False
    trained_data: str | None = None


@dataclass(kw_only=True)
class SolutionVersionRecord(StatusRecord):
    """``name`` is the optional CreateSolutionVersion name ('' when none was given)."""

    status: str | None = PENDING
    solution_arn: str
    dataset_group_arn: str
    recipe_arn: str | None  # the solution's recipe; for AutoML the best one once trained
    perform_hpo: bool = False
    perform_auto_ml: bool = False
    perform_incremental_update: bool = False
    event_type: str | None = None
    solution_config: dict[str, Any] | None = None  # snapshot of the solution's, as sent
    training_mode: str = "FULL"
    training_type: str = "MANUAL"
    training_hours: float | None = None
    tuned_hyperparameters: dict[str, str] | None = None  # HPO result (algorithm scope)
    hyperparameters: dict[str, str] | None = None  # everything the model was trained with
    metrics: dict[str, float] | None = None
    model_dir: str | None = None  # where engines.artifacts saved the model
    # The two-hourly update of the latest version (``schedule``): when it is next due, and the
    # interactions and catalogue the serving model was built from.
    auto_update_at: datetime | None = None
    model_data: str | None = None


@dataclass(kw_only=True)
class CampaignUpdate(SubUpdate):
    solution_version_arn: str
    min_provisioned_tps: int
    campaign_config: dict[str, Any] | None = None


@dataclass(kw_only=True)
class CampaignRecord(StatusRecord):
    """``solution_version_arn`` is what the client asked for (possibly ``.../$LATEST``);
    ``serving_version_arn`` is the concrete version whose model answers requests -- it changes
    only when a deploy or an update reaches ACTIVE, so the old model serves meanwhile."""

    status: str | None = PENDING
    solution_arn: str
    solution_version_arn: str
    min_provisioned_tps: int = 1
    campaign_config: dict[str, Any] | None = None  # as sent
    serving_version_arn: str | None = None
    latest_update: CampaignUpdate | None = None
