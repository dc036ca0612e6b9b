"""Domain recommenders: Create/Describe/List/Update/Start/Stop/DeleteRecommender, and serving.

A recommender is a use-case recipe (``aws-ecomm-*``, ``aws-vod-*``) trained on a Domain dataset
group's data and deployed in one resource. CreateRecommender checks what can be checked at once
(the group is a Domain group, the recipe is a use case of *its* domain, the configuration fits
the use case, at most :data:`MAX_PER_GROUP` recommenders per group, an Interactions dataset
exists) and then trains in a job, reusing the solution-version pipeline's pieces:

1. the group's tables as ``TrainingData`` (``training_data.assemble``), with the
   ``trainingDataConfig`` column choices applied (the same function solutions use);
2. the service minimums (``training_data.check_minimums``) counted on the use case's training
   event type (e.g. >= 1000 ``Watch`` events for most-popular), then the use case's
   ``required_event_types``; failing one is CREATE FAILED with the reason, not an API error;
3. ``modelMetrics`` from Personalize's 90/10 user split (``engines.evaluation.evaluate``), then
   a fit on all the data; the engine is scoped to the use case's event types by the registry.

Lifecycle: create path to ACTIVE; StopRecommender (ACTIVE only) walks STOP PENDING -> STOP
IN_PROGRESS -> INACTIVE; StartRecommender (INACTIVE only) walks START PENDING -> START
IN_PROGRESS -> ACTIVE; anything else is ResourceInUseException. UpdateRecommender records
``latestRecommenderUpdate`` and walks it on the update path while the recommender stays ACTIVE
and keeps serving its old configuration; the new configuration (and, when its
``trainingDataConfig`` differs, a model retrained with it) takes over when the update is ACTIVE.

Serving: this module registers the ``recommender`` deployment kind with the runtime, so
GetRecommendations with ``recommenderArn`` goes through the same request handling as campaigns.
Only an ACTIVE recommender answers. The use case's ``requires_user_id`` / ``requires_item_id``
rules are enforced by the runtime; its ``exclude_event_types`` become the deployment's
``exclude`` (e.g. top picks never returns a video the user watched, whether the watch was
imported or sent with PutEvents since); ``itemExplorationConfig`` applies to the personalised
use cases (defaults ``explorationWeight`` 0.3, ``explorationItemAgeCutOff`` 30 days).

Weekly retraining: the service retrains a recommender's model every 7 days. Here a model's
publication sets the recommender's next retraining 7 days later on the emulated clock
(``resources.clock``); when it comes (``clock.advance``, or the server's ticker) and the group's
interaction data changed since that model read it, an ACTIVE recommender that is not being
updated trains again in the background, invisibly -- its status and ``latestRecommenderUpdate``
do not change -- and the new model and ``modelMetrics`` take over when it is done (training is
seeded, so retraining unchanged data would give the same model: it is skipped).

Choices where the sources are silent: ``recommenderConfig`` is echoed as sent, with
``minRecommendationRequestsPerSecond`` defaulting to 1; an update replaces the whole
configuration; a recommender that is not ACTIVE (creating, stopped, stopping) refuses runtime
requests with ResourceNotFoundException, as a campaign does.
"""

from __future__ import annotations

import functools
import shutil
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ...engines import artifacts, registry
from ...engines.base import FitOptions, Model
from ...engines.dataset import TrainingData
from ...engines.evaluation import evaluate
from ...protocol.context import GA
from ...protocol.errors import (
    InvalidInputException,
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
)
from .. import arns, clock, datastore, lifecycle, models, realtime, schedule, training_data
from ..batch_records import RecommenderRecord, RecommenderUpdate
from ..common import (
    ensure_new,
    get_record,
    list_operation,
    no_work,
    start_create,
    status_summary,
    tags_from_wire,
)
from ..handlers import handler
from ..jobs import JobContext, JobFailed, runner_for
from ..store import Store
from .runtime import DEFAULT_EXPLORATION, Deployment, register_deployment
from .solution_versions import _select_columns as select_columns

KIND = "recommender"
SEED = 0
MAX_PER_GROUP = 5
DEFAULT_CONFIG = {"minRecommendationRequestsPerSecond": 1}
EXPLORATION_BOUNDS = {"explorationWeight": (0.0, 1.0), "explorationItemAgeCutOff": (1.0, None)}
TRAINING_DATASETS = frozenset({"INTERACTIONS", "ITEMS", "USERS"})


# --- checks ------------------------------------------------------------------------------------


def use_case(recipe_arn: str, group: Any) -> registry.RecipeSpec:
    """The domain use case ``recipe_arn`` names, checked against the group's domain."""
    arns.expect(recipe_arn, "recipe", "recipeArn")
    spec = registry.get_recipe(recipe_arn)
    if spec is None or spec.arn != recipe_arn or GA not in spec.dialects:
        raise arns.not_found(recipe_arn)
    if group.domain is None:
        raise InvalidInputException(
            f"Invalid parameter datasetGroupArn: {group.arn} is a Custom dataset group;"
            " recommenders need a Domain dataset group (ECOMMERCE or VIDEO_ON_DEMAND). Use"
            " solutions and campaigns with a Custom dataset group."
        )
    if spec.domain != group.domain:
        choices = ", ".join(r.name for r in registry.all_recipes(GA, group.domain))
        what = "a custom recipe" if spec.domain is None else f"a {spec.domain} use case"
        raise InvalidInputException(
            f"Invalid parameter recipeArn: {recipe_arn} is {what}; dataset group"
            f" {group.arn} is a {group.domain} dataset group, whose use cases are {choices}."
        )
    return spec


def _check_number(member: str, value: Any, lo: float, hi: float | None) -> None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInputException(
            f"Invalid parameter {member}: {value!r} is not a number."
        ) from None
    if number != number or number < lo or (hi is not None and number > hi):
        limit = f"between {lo:g} and {hi:g}" if hi is not None else f"at least {lo:g}"
        raise InvalidInputException(f"Invalid parameter {member}: {value} must be {limit}.")


def check_exploration(config: Mapping[str, Any] | None, spec: registry.RecipeSpec,
                      member: str) -> None:  # fmt: skip
    """``itemExplorationConfig`` only where the recipe explores; keys and ranges checked."""
    exploration = (config or {}).get("itemExplorationConfig")
    if exploration is None:
        return
    if not spec.rule("exploration"):
        raise InvalidInputException(
            f"Invalid parameter {member}.itemExplorationConfig: {spec.name} does not explore;"
            " item exploration is for the personalised use cases (recommended-for-you, top"
            " picks) and User-Personalization."
        )
    for key, value in exploration.items():
        if key not in EXPLORATION_BOUNDS:
            raise InvalidInputException(
                f"Invalid parameter {member}.itemExplorationConfig: unknown key {key} (allowed:"
                f" {', '.join(EXPLORATION_BOUNDS)})."
            )
        _check_number(f"{member}.itemExplorationConfig.{key}", value, *EXPLORATION_BOUNDS[key])


def check_config(config: Mapping[str, Any] | None, spec: registry.RecipeSpec) -> None:
    check_exploration(config, spec, "recommenderConfig")
    choice = (config or {}).get("trainingDataConfig") or {}
    for member in ("excludedDatasetColumns", "includedDatasetColumns"):
        for dataset_type in choice.get(member) or {}:
            if dataset_type.upper() not in TRAINING_DATASETS:
                raise InvalidInputException(
                    f"Invalid parameter recommenderConfig.trainingDataConfig.{member}: unknown"
                    f" dataset type {dataset_type} (use Interactions, Items or Users)."
                )


def exploration_of(config: Mapping[str, Any] | None,
                   spec: registry.RecipeSpec) -> tuple[float, float] | None:  # fmt: skip
    """(weight, age cut-off) for an exploring recipe, defaults filled in; else None."""
    if not spec.rule("exploration"):
        return None
    given = (config or {}).get("itemExplorationConfig") or {}
    return (
        float(given.get("explorationWeight", DEFAULT_EXPLORATION[0])),
        float(given.get("explorationItemAgeCutOff", DEFAULT_EXPLORATION[1])),
    )


def _effective(config: Mapping[str, Any] | None) -> dict[str, Any]:
    return {**DEFAULT_CONFIG, **(config or {})}


def _check_tables(store: Store, group_arn: str) -> dict[str, Any]:
    tables = training_data.tables_of(store, group_arn)
    if "INTERACTIONS" not in tables:
        raise InvalidInputException(
            f"Dataset group {group_arn} has no Interactions dataset; a recommender trains on"
            " interactions."
        )
    return tables


def check_use_case_minimums(data: TrainingData, spec: registry.RecipeSpec) -> None:
    """The service minimums on the use case's training events, then its per-type minimums."""
    event_types = tuple(spec.rule("event_types") or ())
    if event_types and "EVENT_TYPE" not in data.interactions.columns:
        raise JobFailed(
            f"Create failed. Use case {spec.name} trains on {', '.join(event_types)} events but"
            " the Interactions dataset has no EVENT_TYPE column."
        )
    if len(event_types) == 1:
        training_data.check_minimums(data, event_types[0])
    else:
        frame = data.interactions
        if event_types:
            wanted = {t.lower() for t in event_types}
            frame = frame[frame["EVENT_TYPE"].astype(str).str.lower().isin(wanted)]
        training_data.check_minimums(TrainingData(interactions=frame))
    required: Mapping[str, int] = spec.rule("required_event_types") or {}
    if required:
        types = data.interactions["EVENT_TYPE"].astype(str).str.lower()
        for event_type, minimum in required.items():
            found = int((types == event_type.lower()).sum())
            if found < minimum:
                raise JobFailed(
                    f"Create failed. Use case {spec.name} needs at least {minimum} interactions"
                    f" of event type {event_type} (found {found})."
                )


# --- training ----------------------------------------------------------------------------------


@dataclass
class _Result:
    model: Model
    directory: Path
    metrics: dict[str, float]
    trained_at: float


class _Training:
    """One recommender training (create, or an update that changes the training data)."""

    def __init__(self, store: Store, record: RecommenderRecord, spec: registry.RecipeSpec,
                 tables: dict[str, Any], config: Mapping[str, Any] | None):  # fmt: skip
        """Under the store lock: ``tables`` are the data as of now (``data``)."""
        self.store, self.record, self.spec = store, record, spec
        self.tables, self.config = tables, config or {}
        self.data = schedule.data_mark(store, record.dataset_group_arn)

    def run(self, ctx: JobContext) -> _Result:
        started = time.time()
        data = select_columns(training_data.assemble(self.tables), self.config)
        check_use_case_minimums(data, self.spec)
        hyper = registry.resolve_hyperparameters(self.spec)
        scopes = {hp.name: hp.scope for hp in self.spec.hyperparameters}
        options = FitOptions(
            seed=SEED,
            hyperparameters={k: v for k, v in hyper.items() if scopes.get(k) != "featurization"},
            feature_transformation={
                k: v for k, v in hyper.items() if scopes.get(k) == "featurization"
            },
            should_stop=ctx.should_stop,
        )
        recipe = registry.build(self.spec)
        metrics = evaluate(recipe, data, options, use_case=self.spec.use_case)
        if ctx.should_stop():
            raise JobFailed("Create failed. The training was interrupted.")
        model = recipe.fit(data, options)
        directory = (
            datastore.store_dir(self.store)
            / "recommenders"
            / (f"{self.record.name}-{uuid.uuid4().hex[:12]}")
        )
        artifacts.save_model(model, directory)
        return _Result(model, directory, {k: float(v) for k, v in metrics.items()}, started)

    def publish(self, result: _Result) -> None:
        """Under the store lock: the new model serves from now on (unless the recommender was
        deleted meanwhile), and the next weekly retraining is 7 days away."""
        if self.store.records[KIND].get(self.record.arn) is not self.record:
            shutil.rmtree(result.directory, ignore_errors=True)
            return
        previous = self.record.model_dir
        models.publish(self.store, self.record, result.model, result.directory)
        self.record.model_metrics = result.metrics
        self.record.trained_at = result.trained_at
        self.record.trained_data = self.data
        self.record.retrain_at = clock.now() + schedule.RECOMMENDER_RETRAINING
        if previous and previous != str(result.directory):
            shutil.rmtree(previous, ignore_errors=True)


@schedule.due(KIND, "retrain_at")
def _retrain(store: Store, record: RecommenderRecord, now: datetime) -> str | None:
    """The weekly retraining is due: move it on, then train in the background if the
    recommender is ACTIVE, not being updated, and its group's interactions changed."""
    record.retrain_at = schedule.next_after(record.retrain_at, schedule.RECOMMENDER_RETRAINING,
                                            now)  # fmt: skip
    if record.status != lifecycle.ACTIVE or _updating(record):
        return None
    if schedule.data_mark(store, record.dataset_group_arn) == record.trained_data:
        return None
    spec = registry.get_recipe(record.recipe_arn)
    training = _Training(store, record, spec, _check_tables(store, record.dataset_group_arn),
                         record.recommender_config)  # fmt: skip
    # the job walks a private update record: nothing a describe shows changes until the model
    hidden = RecommenderUpdate(recommender_config=record.recommender_config)
    runner_for(store).submit(record, training.run, path="update", target=hidden,
                             on_success=training.publish)  # fmt: skip
    return record.arn


# --- wire shapes -------------------------------------------------------------------------------


def _update(r: RecommenderRecord) -> dict[str, Any] | None:
    u = r.latest_update
    if u is None:
        return None
    return {
        "recommenderConfig": _effective(u.recommender_config),
        "creationDateTime": u.created,
        "lastUpdatedDateTime": u.updated,
        "status": u.status,
        "failureReason": u.failure_reason,
    }


def _summary(r: RecommenderRecord) -> dict[str, Any]:
    return {
        **status_summary(r, "recommenderArn", failure=False),
        "datasetGroupArn": r.dataset_group_arn,
        "recipeArn": r.recipe_arn,
        "recommenderConfig": _effective(r.recommender_config),
    }


_NO_METRICS = frozenset({lifecycle.CREATE_PENDING, lifecycle.CREATE_IN_PROGRESS,
                         lifecycle.DELETE_PENDING, lifecycle.DELETE_IN_PROGRESS})  # fmt: skip


def _describe(r: RecommenderRecord) -> dict[str, Any]:
    return {
        **_summary(r),
        "failureReason": r.failure_reason,
        "latestRecommenderUpdate": _update(r),
        "modelMetrics": None if r.status in _NO_METRICS else r.model_metrics,
    }


def _updating(r: RecommenderRecord) -> bool:
    return r.latest_update is not None and lifecycle.is_in_progress(r.latest_update.status)


def _refuse_while_updating(r: RecommenderRecord, what: str) -> None:
    if _updating(r):
        raise ResourceInUseException(
            f"Recommender {r.arn} has an update in {r.latest_update.status} state; {what} once"
            " the update has finished."
        )


# --- handlers ----------------------------------------------------------------------------------


@handler("personalize", "CreateRecommender")
def create_recommender(
    store: Store,
    *,
    name: str,
    datasetGroupArn: str,
    recipeArn: str,
    recommenderConfig: dict[str, Any] | None = None,
    tags: list[dict[str, str]] | None = None,
) -> dict:
    checked_tags = tags_from_wire(tags)
    arn = arns.build(KIND, name, region=store.region, account=store.account_id)
    with store.lock:
        ensure_new(store, KIND, arn)
        group = get_record(store, "dataset-group", datasetGroupArn, "datasetGroupArn")
        spec = use_case(recipeArn, group)
        lifecycle.require_status(group.arn, group.status, lifecycle.ACTIVE)
        check_config(recommenderConfig, spec)
        siblings = [r for r in store.records[KIND].values() if r.dataset_group_arn == group.arn]
        if len(siblings) >= MAX_PER_GROUP:
            raise LimitExceededException(
                f"Dataset group {group.arn} already has {len(siblings)} recommenders; the limit"
                f" is {MAX_PER_GROUP} per dataset group."
            )
        tables = _check_tables(store, group.arn)
        record = RecommenderRecord(
            arn=arn,
            name=name,
            dataset_group_arn=group.arn,
            recipe_arn=spec.arn,
            recommender_config=recommenderConfig,
        )
        training = _Training(store, record, spec, tables, recommenderConfig)
        start_create(store, KIND, record, checked_tags, training.run, on_success=training.publish)
    return {"recommenderArn": arn}


@handler("personalize", "DescribeRecommender")
def describe_recommender(store: Store, *, recommenderArn: str) -> dict:
    with store.lock:
        record = get_record(store, KIND, recommenderArn, "recommenderArn")
        return {"recommender": _describe(record)}


list_recommenders = list_operation(
    "ListRecommenders", KIND, "recommenders", _summary, ("datasetGroupArn", "dataset-group")
)


@handler("personalize", "UpdateRecommender")
def update_recommender(
    store: Store, *, recommenderArn: str, recommenderConfig: dict[str, Any]
) -> dict:
    with store.lock:
        record: RecommenderRecord = get_record(store, KIND, recommenderArn, "recommenderArn")
        lifecycle.require_status(record.arn, record.status, lifecycle.ACTIVE)
        _refuse_while_updating(record, "update it again")
        spec = registry.get_recipe(record.recipe_arn)
        check_config(recommenderConfig, spec)
        update = RecommenderUpdate(recommender_config=recommenderConfig)
        record.latest_update = update
        record.touch()
        old = (record.recommender_config or {}).get("trainingDataConfig") or {}
        new = recommenderConfig.get("trainingDataConfig") or {}
        training = None
        if old != new:  # different columns: a new model; otherwise only serving settings change
            training = _Training(store, record, spec, _check_tables(store, record.dataset_group_arn),
                                 recommenderConfig)  # fmt: skip

        def work(ctx: JobContext) -> Any:
            return training.run(ctx) if training is not None else None

        def switch(result: Any) -> None:
            if training is not None:
                training.publish(result)
            record.recommender_config = recommenderConfig
            record.touch()

        runner_for(store).submit(record, work, path="update", target=update, on_success=switch)
    return {"recommenderArn": record.arn}


@handler("personalize", "StopRecommender")
def stop_recommender(store: Store, *, recommenderArn: str) -> dict:
    with store.lock:
        record: RecommenderRecord = get_record(store, KIND, recommenderArn, "recommenderArn")
        lifecycle.require_status(record.arn, record.status, lifecycle.ACTIVE)
        _refuse_while_updating(record, "stop it")
        runner_for(store).submit(record, no_work, path="stop")
    return {"recommenderArn": record.arn}


@handler("personalize", "StartRecommender")
def start_recommender(store: Store, *, recommenderArn: str) -> dict:
    with store.lock:
        record: RecommenderRecord = get_record(store, KIND, recommenderArn, "recommenderArn")
        lifecycle.require_status(record.arn, record.status, lifecycle.INACTIVE)
        runner_for(store).submit(record, no_work, path="start")
    return {"recommenderArn": record.arn}


@handler("personalize", "DeleteRecommender")
def delete_recommender(store: Store, *, recommenderArn: str) -> None:
    with store.lock:
        record: RecommenderRecord = get_record(store, KIND, recommenderArn, "recommenderArn")
        lifecycle.require_status(record.arn, record.status,
                                 lifecycle.ACTIVE, lifecycle.CREATE_FAILED, lifecycle.INACTIVE)  # fmt: skip
        _refuse_while_updating(record, "delete it")
        runner_for(store).submit(record, lambda ctx: models.forget(store, record), path="delete")


# --- serving -----------------------------------------------------------------------------------


def excluded_items(store: Store, dataset_group_arn: str, event_types: frozenset[str],
                   user_id: str | None) -> list[str]:  # fmt: skip
    """Items the user has events of ``event_types`` on (imported or put), case-insensitive."""
    if not user_id or not event_types:
        return []
    history = realtime.user_interactions(store, dataset_group_arn, user_id)
    return sorted({item for item, etype, _ in history if etype and etype.lower() in event_types})


def _deployment(store: Store, arn: str) -> Deployment:
    with store.lock:
        record: RecommenderRecord | None = store.records[KIND].get(arn)
        if record is None:
            raise arns.not_found(arn)
        if record.status != lifecycle.ACTIVE or record.model_dir is None:
            raise ResourceNotFoundException(
                f"Recommender {arn} is not ACTIVE (status: {record.status}); it can serve"
                " recommendations once it is ACTIVE."
            )
        config = record.recommender_config or {}
        group = record.dataset_group_arn
    spec = registry.get_recipe(record.recipe_arn)
    types = frozenset(t.lower() for t in spec.rule("exclude_event_types") or ())
    return Deployment(
        arn=arn,
        spec=spec,
        model=models.get(store, record),
        dataset_group_arn=group,
        exploration=exploration_of(config, spec),
        metadata_enabled=bool(config.get("enableMetadataWithRecommendations")),
        exclude=functools.partial(excluded_items, store, group, types),
    )


register_deployment(KIND, _deployment)
