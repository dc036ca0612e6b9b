"""Solution versions: CreateSolutionVersion (real training), DescribeSolutionVersion,
ListSolutionVersions, StopSolutionVersionCreation, GetSolutionMetrics.

CreateSolutionVersion checks what can be checked at once (solution ACTIVE, an Interactions
dataset with data, the training mode allowed for the recipe, at most 20 versions training per
region, the solution's ``eventsConfig`` event types present in the data and its
``optimizationObjective`` column in the Items schema) and then trains in a stoppable job
(``_Training``):

1. read the dataset group's tables into ``TrainingData`` (``training_data``), apply the
   solution's ``trainingDataConfig`` column choices, check the service's data minimums;
2. choose the recipe (AutoML: the best of its candidates on a validation split) and the
   hyperparameters (HPO: ``engines.hpo``'s seeded random search inside the declared / requested
   ranges, on the same validation split, starting from the defaults moved into those ranges);
3. evaluate on Personalize's split (``engines.evaluation``) -- the metrics GetSolutionMetrics
   reports -- then fit on all the data (trainingMode UPDATE refreshes the previous model);
4. save the model to disk; publishing it (and the metrics) happens under the store lock just
   before ACTIVE, so nobody sees an ACTIVE version without its model.

The validation split used by AutoML and HPO is carved from the training part of Personalize's
split (its test users never influence the choice). Training is seeded (``SEED``): the same data
and configuration give the same model. ``trainingHours`` is the job's real elapsed time.

Automatic training (``solutions`` has the schedule) creates versions here too, through
:func:`create_solution_version` with trainingMode AUTOTRAIN. Such a version shows trainingMode
AUTOTRAIN and trainingType AUTOMATIC: the API reference lists AUTOTRAIN among the training
modes without saying when a version carries it, and the scheduled run is the one case it
can name; it trains on all the data like FULL.

The two-hourly update (``_Refresh``): the service "automatically updates your latest solution
version every two hours to include new items" for User-Personalization(-v2) and Next-Best-Action.
Here the latest ACTIVE version of such a solution is refreshed 2 hours (on the emulated clock)
after its model was built, and every 2 hours after, when interactions, items or actions were
imported since: the engine's cheap update (the same as trainingMode UPDATE) runs in the
background on a private update record and its model replaces the version's in place -- no new
version, no status change; campaigns serving the version use the refreshed model at once.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ...engines import artifacts, hpo, registry
from ...engines.base import FitOptions, Model, TrainingStopped
from ...engines.dataset import Table, TrainingData
from ...engines.evaluation import evaluate, personalize_split
from ...engines.training import validate_interactions
from ...protocol.errors import (
    InvalidInputException,
    LimitExceededException,
    ResourceInUseException,
    ServiceError,
)
from .. import arns, clock, datastore, lifecycle, models, schedule, training_data
from ..common import get_record, store_create_tags, tags_from_wire
from ..handlers import handler
from ..jobs import JobContext, runner_for
from ..pagination import newest_first, paginate
from ..pipeline_records import SolutionRecord, SolutionUpdate, SolutionVersionRecord
from ..store import Store
from . import campaigns, solutions

log = logging.getLogger("personalize_emulator")

KIND = "solution-version"
SEED = 0
VALIDATION_SEED = 10_000 + SEED  # AutoML's validation draw, never the split's own test draw
MAX_TRAINING = 20
UPDATE_RECIPES = ("aws-user-personalization", "aws-hrnn-coldstart")
TRAINING_MODES = ("FULL", "UPDATE", "AUTOTRAIN")
#: Columns a trainingDataConfig can never remove: the ids and keys every recipe needs.
REQUIRED_COLUMNS = frozenset({"USER_ID", "ITEM_ID", "ACTION_ID", "TIMESTAMP", "EVENT_TYPE"})


# --- wire shapes -------------------------------------------------------------------------------


def _describe(v: SolutionVersionRecord) -> dict[str, Any]:
    return {
        "name": v.name or None,
        "solutionVersionArn": v.arn,
        "solutionArn": v.solution_arn,
        "performHPO": v.perform_hpo,
        "performAutoML": v.perform_auto_ml,
        "performIncrementalUpdate": v.perform_incremental_update,
        "recipeArn": v.recipe_arn,
        "eventType": v.event_type,
        "datasetGroupArn": v.dataset_group_arn,
        "solutionConfig": v.solution_config,
        "trainingHours": v.training_hours,
        "trainingMode": v.training_mode,
        "tunedHPOParams": (
            {"algorithmHyperParameters": v.tuned_hyperparameters}
            if v.tuned_hyperparameters is not None
            else None
        ),
        "status": v.status,
        "failureReason": v.failure_reason,
        "creationDateTime": v.created,
        "lastUpdatedDateTime": v.updated,
        "trainingType": v.training_type,
    }


# --- handlers ----------------------------------------------------------------------------------


@handler("personalize", "CreateSolutionVersion")
def create_solution_version(
    store: Store,
    *,
    solutionArn: str,
    name: str | None = None,
    trainingMode: str | None = None,
    tags: list[dict[str, str]] | None = None,
) -> dict:
    mode = trainingMode or "FULL"
    if mode not in TRAINING_MODES:
        raise InvalidInputException(f"Invalid parameter trainingMode: {trainingMode!r}.")
    checked_tags = tags_from_wire(tags)
    with store.lock:
        solution: SolutionRecord = get_record(store, "solution", solutionArn, "solutionArn")
        if solution.status != lifecycle.ACTIVE:
            raise ResourceInUseException(
                f"Solution {solutionArn} is in {solution.status} state; solution versions can"
                " only be created for an ACTIVE solution."
            )
        if name and any(v.name == name for v in solutions.versions_of(store, solutionArn)):
            raise InvalidInputException(
                f"Invalid parameter name: solution {solution.name} already has a version named"
                f" {name}."
            )
        training = [v for v in store.records[KIND].values() if lifecycle.is_in_progress(v.status)]
        if len(training) >= MAX_TRAINING:
            raise LimitExceededException(
                f"More than {MAX_TRAINING} solution versions with PENDING or IN_PROGRESS status."
            )
        previous = _check_mode(store, solution, mode)
        tables = _check_data(store, solution)
        if not solution.perform_auto_ml:  # AutoML reads autoMLConfig only
            spec = solutions.recipe_spec(solution.recipe_arn or "", dialects=solutions.ANY_DIALECT)
            solutions.check_datasets(store, solution.dataset_group_arn, spec,
                                     solution.solution_config, data=True)  # fmt: skip
        arn = _new_arn(store, solution)
        version = SolutionVersionRecord(
            arn=arn,
            name=name or "",
            solution_arn=solutionArn,
            dataset_group_arn=solution.dataset_group_arn,
            recipe_arn=solution.recipe_arn,
            perform_hpo=solution.perform_hpo,
            perform_auto_ml=solution.perform_auto_ml,
            perform_incremental_update=solution.perform_incremental_update,
            event_type=solution.event_type,
            solution_config=solution.solution_config,
            training_mode=mode,
            training_type="AUTOMATIC" if mode == "AUTOTRAIN" else "MANUAL",
        )
        _note_training(store, solution)
        store.records[KIND][arn] = version
        store_create_tags(store, arn, checked_tags)
        job = _Training(store, solution, version, tables, previous)
        runner_for(store).submit(version, job.run, on_success=job.publish, stoppable=True)
    return {"solutionVersionArn": arn}


def _note_training(store: Store, solution: SolutionRecord) -> None:
    """Under the lock, as any version is created: remember the data it trains on (automatic
    training waits for new data), and skip the first automatic run if it is not due yet."""
    solution.trained_data = schedule.data_mark(store, solution.dataset_group_arn)
    due_at = solution.auto_training_at
    if solution.auto_training_first and due_at is not None and clock.now() < due_at:
        solution.auto_training_at = due_at + schedule.auto_training_interval(
            solution.solution_config)  # fmt: skip
    solution.auto_training_first = False


@schedule.due("solution", "auto_training_at")
def _auto_train(store: Store, solution: SolutionRecord, now: datetime) -> str | None:
    """An automatic training slot has come: move the schedule on, then create an AUTOTRAIN
    version if the solution is ACTIVE and its interaction data changed since the last one."""
    period = schedule.auto_training_interval(solution.solution_config)
    solution.auto_training_at = schedule.next_after(solution.auto_training_at, period, now)
    solution.auto_training_first = False
    if solution.status != lifecycle.ACTIVE or not solution.perform_auto_training:
        return None
    if schedule.data_mark(store, solution.dataset_group_arn) == solution.trained_data:
        return None  # the guide: automatic training needs new data since the last training
    try:
        answer = create_solution_version(store, solutionArn=solution.arn, trainingMode="AUTOTRAIN")
    except ServiceError as exc:  # e.g. no interactions yet, or 20 versions training
        log.info("automatic training of %s skipped: %s", solution.arn, exc.message)
        return None
    return answer["solutionVersionArn"]


def _new_arn(store: Store, solution: SolutionRecord) -> str:
    while True:
        arn = arns.build(KIND, solution.name, arns.new_version_id(),
                         region=store.region, account=store.account_id)  # fmt: skip
        if arn not in store.records[KIND]:
            return arn


def _check_mode(store: Store, solution: SolutionRecord, mode: str) -> SolutionVersionRecord | None:
    """The version an UPDATE refreshes (None for FULL / AUTOTRAIN); II when not allowed."""
    if mode == "AUTOTRAIN" and not solution.perform_auto_training:
        raise InvalidInputException(
            "Invalid parameter trainingMode: AUTOTRAIN needs a solution with"
            " performAutoTraining true."
        )
    if mode != "UPDATE":
        return None
    allowed = {registry.RECIPE_PREFIX + r for r in UPDATE_RECIPES}
    if solution.recipe_arn not in allowed:
        raise InvalidInputException(
            "Invalid parameter trainingMode: UPDATE is only available for solutions using"
            f" {' or '.join(UPDATE_RECIPES)}; use FULL."
        )
    for version in solutions.versions_of(store, solution.arn):
        # An automatic version is a full training too (the guide is silent; it retrains on
        # all the data like FULL), so UPDATE may refresh it.
        if version.status == lifecycle.ACTIVE and version.training_mode in ("FULL", "AUTOTRAIN"):
            return version
    raise InvalidInputException(
        "Invalid parameter trainingMode: UPDATE needs an ACTIVE solution version trained with"
        f" trainingMode FULL; solution {solution.arn} has none."
    )


def _check_data(store: Store, solution: SolutionRecord) -> dict[str, Any]:
    tables = training_data.tables_of(store, solution.dataset_group_arn)
    interactions = tables.get("INTERACTIONS")
    if interactions is None:
        raise InvalidInputException(
            f"Dataset group {solution.dataset_group_arn} has no Interactions dataset to train on."
        )
    if interactions.row_count() == 0:
        raise InvalidInputException(
            f"The Interactions dataset of {solution.dataset_group_arn} has no data; import"
            " interactions before creating a solution version."
        )
    return tables


@handler("personalize", "DescribeSolutionVersion")
def describe_solution_version(store: Store, *, solutionVersionArn: str) -> dict:
    with store.lock:
        v = get_record(store, KIND, solutionVersionArn, "solutionVersionArn")
        return {"solutionVersion": _describe(v)}


@handler("personalize", "ListSolutionVersions")
def list_solution_versions(
    store: Store,
    *,
    solutionArn: str | None = None,
    nextToken: str | None = None,
    maxResults: int | None = None,
) -> dict:
    with store.lock:
        if solutionArn is not None:
            get_record(store, "solution", solutionArn, "solutionArn")
            items = solutions.versions_of(store, solutionArn)
        else:
            items = newest_first(store.records[KIND].values())
        return paginate(items, nextToken, maxResults, "solutionVersions", scope=solutionArn,
                        render=solutions.version_summary)  # fmt: skip


@handler("personalize", "StopSolutionVersionCreation")
def stop_solution_version_creation(store: Store, *, solutionVersionArn: str) -> None:
    with store.lock:
        version = get_record(store, KIND, solutionVersionArn, "solutionVersionArn")
        lifecycle.require_status(version.arn, version.status,
                                 lifecycle.CREATE_PENDING, lifecycle.CREATE_IN_PROGRESS)  # fmt: skip
        runner_for(store).stop(version, version.arn)


@handler("personalize", "GetSolutionMetrics")
def get_solution_metrics(store: Store, *, solutionVersionArn: str) -> dict:
    with store.lock:
        version = get_record(store, KIND, solutionVersionArn, "solutionVersionArn")
        lifecycle.require_status(version.arn, version.status, lifecycle.ACTIVE)
        return {"solutionVersionArn": version.arn, "metrics": dict(version.metrics or {})}


# --- training ----------------------------------------------------------------------------------


@dataclass
class _Result:
    spec: registry.RecipeSpec
    model: Model
    directory: Path
    metrics: dict[str, float]
    hyperparameters: dict[str, str]
    tuned: dict[str, str] | None
    hours: float


class _Training:
    """One CreateSolutionVersion's work; ``run`` in the job, ``publish`` under the lock."""

    def __init__(self, store: Store, solution: SolutionRecord, version: SolutionVersionRecord,
                 tables: dict[str, Any], previous: SolutionVersionRecord | None):  # fmt: skip
        self.store, self.solution, self.version = store, solution, version
        self.tables, self.previous = tables, previous
        self.config: Mapping[str, Any] = version.solution_config or {}
        self.threshold = solutions.event_value_threshold(self.config)
        self.event_weights: dict[str, tuple[float | None, float]] | None = None
        self.objective: tuple[str, str] | None = None
        # under the lock: the data ``tables`` hold now (the two-hourly update compares it)
        self.data = schedule.data_mark(store, version.dataset_group_arn, schedule.CATALOGUE_TYPES)

    def run(self, ctx: JobContext) -> _Result:
        data = _select_columns(training_data.assemble(self.tables), self.config)
        if not self.version.perform_auto_ml:  # AutoML reads autoMLConfig only
            spec = solutions.recipe_spec(self.version.recipe_arn or "",
                                         dialects=solutions.ANY_DIALECT)  # fmt: skip
            self.event_weights = solutions.event_weights(spec, self.config)
            self.objective = solutions.objective(spec, self.config)
        training_data.check_minimums(data, self.version.event_type, self.threshold,
                                     self.event_weights)  # fmt: skip
        self._check(ctx)
        if self.version.perform_auto_ml:
            candidates, metric = solutions.automl_candidates(self.config, solutions.ANY_DIALECT)
            spec = self._best_recipe(candidates, metric, data, ctx)
        hyper = solutions.hyperparameters(spec, self.config)
        tuned = None
        if self.version.perform_hpo:
            hyper = self._search(spec, hyper, data, ctx)
            tuned = {hp.name: hyper[hp.name] for hp in spec.hyperparameters
                     if hp.scope == "algorithm"}  # fmt: skip
        recipe = registry.build(spec)
        options = self._options(spec, hyper, ctx)
        metrics = evaluate(recipe, data, options, use_case=spec.use_case)
        self._check(ctx)
        if self.previous is not None:
            model = recipe.update(models.get(self.store, self.previous), data, options)
        else:
            model = recipe.fit(data, options)
        self._check(ctx)
        directory = models.save(self.store, self.version, model)
        return _Result(spec, model, directory, {k: float(v) for k, v in metrics.items()},
                       hyper, tuned, ctx.elapsed_seconds() / 3600.0)  # fmt: skip

    def publish(self, result: _Result) -> None:
        version = self.version
        models.publish(self.store, version, result.model, result.directory)
        version.metrics = result.metrics
        version.hyperparameters = result.hyperparameters
        version.tuned_hyperparameters = result.tuned
        version.training_hours = result.hours
        if version.perform_auto_ml:
            version.recipe_arn = result.spec.arn
            self.solution.best_recipe_arn = result.spec.arn
            self.solution.touch()
        version.model_data = self.data
        if result.spec.name in schedule.AUTO_UPDATE_RECIPES:
            version.auto_update_at = clock.now() + schedule.AUTO_UPDATE
        campaigns.follow_latest(self.store, version)

    # -- pieces ----------------------------------------------------------------------------

    @staticmethod
    def _check(ctx: JobContext) -> None:
        if ctx.should_stop():
            raise TrainingStopped()

    def _options(self, spec: registry.RecipeSpec, hyper: Mapping[str, str],
                 ctx: JobContext) -> FitOptions:  # fmt: skip
        scopes = {hp.name: hp.scope for hp in spec.hyperparameters}
        return FitOptions(
            seed=SEED,
            hyperparameters={k: v for k, v in hyper.items() if scopes.get(k) != "featurization"},
            feature_transformation={
                k: v for k, v in hyper.items() if scopes.get(k) == "featurization"
            },
            event_type=self.version.event_type,
            event_value_threshold=self.threshold,
            event_weights=self.event_weights,
            objective=self.objective,
            should_stop=ctx.should_stop,
        )

    def _validation_data(self, data: TrainingData) -> tuple[TrainingData, list[str]]:
        """The training part of Personalize's split, and the split's test users.

        AutoML and HPO choose on this data with validation users drawn from everyone but the
        test users, so neither the test users' held-out events nor the users themselves
        influence the choice that GetSolutionMetrics then reports on.
        """
        frame = validate_interactions(data.interactions)
        split = personalize_split(frame, SEED)
        return split.training_data(data), split.test_users

    def _score(self, spec: registry.RecipeSpec, hyper: Mapping[str, str], data: TrainingData,
               metric: str, ctx: JobContext, candidate_users: list[str]) -> float:  # fmt: skip
        self._check(ctx)
        metrics = evaluate(registry.build(spec), data, self._options(spec, hyper, ctx),
                           use_case=spec.use_case, split_seed=VALIDATION_SEED,
                           candidate_users=candidate_users)  # fmt: skip
        return float(metrics.get(metric, 0.0))

    def _best_recipe(self, candidates: list[registry.RecipeSpec], metric: str,
                     data: TrainingData, ctx: JobContext) -> registry.RecipeSpec:  # fmt: skip
        validation, test_users = self._validation_data(data)
        excluded = set(test_users)
        users = sorted(u for u in validation.interactions["USER_ID"].unique() if u not in excluded)
        scored = []
        for spec in candidates:
            hyper = registry.resolve_hyperparameters(spec)
            scored.append((self._score(spec, hyper, validation, metric, ctx, users), spec))
            ctx.progress(f"AutoML: {spec.name} {metric}={scored[-1][0]:.4f}")
        return max(scored, key=lambda pair: pair[0])[1]  # first best wins ties

    def _search(self, spec: registry.RecipeSpec, hyper: dict[str, str], data: TrainingData,
                ctx: JobContext) -> dict[str, str]:  # fmt: skip
        """``engines.hpo``'s seeded random search over the solution's (checked) ranges."""
        space = solutions.hpo_ranges(spec, self.config)
        budget, _parallel = solutions.hpo_budget(self.config)
        if not space:
            return hyper
        self._check(ctx)
        hpo_config = {
            "hpoResourceConfig": {"maxNumberOfTrainingJobs": budget},
            "algorithmHyperParameterRanges": _wire_ranges(space),
            "hpoObjective": {"type": "Maximize", "metricName": solutions.DEFAULT_OBJECTIVE},
        }
        # The first trial is the recipe's defaults, moved into the requested ranges.
        options = self._options(spec, hyper, ctx)
        options = replace(options, hyperparameters=_into_space(space, options.hyperparameters))
        validation, test_users = self._validation_data(data)
        result = hpo.search(
            spec, validation, options, hpo_config, strategy="random", exclude_users=test_users
        )
        self._check(ctx)
        for params, score in result.trials:
            ctx.progress(f"HPO: {params} {result.metric}={score:.4f}")
        return {**hyper, **result.best_params}


def _wire_ranges(space: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """``solutions.hpo_ranges``' space in the wire shape ``engines.hpo`` reads."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name, spec in sorted(space.items()):
        if spec[0] == "categorical":
            out.setdefault("categoricalHyperParameterRanges", []).append(
                {"name": name, "values": list(spec[1])})
        else:
            entry: dict[str, Any] = {"name": name}
            if spec[1] is not None:
                entry["minValue"] = spec[1]
            if spec[2] is not None:
                entry["maxValue"] = spec[2]
            out.setdefault(f"{spec[0]}HyperParameterRanges", []).append(entry)
    return out


def _into_space(space: Mapping[str, Any], hyper: Mapping[str, str]) -> dict[str, str]:
    """``hyper`` with each searched value outside its range replaced by the nearest admissible
    one (a numeric bound, or the first allowed category)."""
    out = dict(hyper)
    for name, spec in space.items():
        value = out.get(name)
        if spec[0] == "categorical":
            allowed = [str(v) for v in spec[1]]
            if value is None or value.lower() not in {v.lower() for v in allowed}:
                out[name] = allowed[0]
            continue
        lo, hi = spec[1], spec[2]
        number = float(value) if value is not None else float(lo if lo is not None else hi)
        if lo is not None and number < float(lo):
            number = float(lo)
        if hi is not None and number > float(hi):
            number = float(hi)
        out[name] = str(int(number)) if spec[0] == "integer" else repr(number)
    return out


def _select_columns(data: TrainingData, config: Mapping[str, Any]) -> TrainingData:
    """Apply ``trainingDataConfig``: drop excluded columns, or keep only included ones."""
    choice = config.get("trainingDataConfig") or {}
    excluded = {k.upper(): set(v) for k, v in (choice.get("excludedDatasetColumns") or {}).items()}
    included = {k.upper(): set(v) for k, v in (choice.get("includedDatasetColumns") or {}).items()}
    if not excluded and not included:
        return data

    def keep(kind: str, frame: Any) -> Any:
        columns = [
            c for c in frame.columns
            if c in REQUIRED_COLUMNS
            or (c not in excluded.get(kind, ()) and (kind not in included or c in included[kind]))
        ]  # fmt: skip
        return frame[columns]

    def table(kind: str, t: Table | None) -> Table | None:
        return None if t is None else Table(keep(kind, t.frame), t.kinds)

    return replace(
        data,
        interactions=keep("INTERACTIONS", data.interactions),
        items=table("ITEMS", data.items),
        users=table("USERS", data.users),
        actions=table("ACTIONS", data.actions),
    )


class _Refresh(_Training):
    """The two-hourly update of a solution's latest version (module docstring)."""

    def run(self, ctx: JobContext) -> tuple[Model, Path]:
        data = _select_columns(training_data.assemble(self.tables), self.config)
        spec = registry.get_recipe(self.version.recipe_arn or "")
        self.event_weights = solutions.event_weights(spec, self.config)
        self.objective = solutions.objective(spec, self.config)
        hyper = self.version.hyperparameters or solutions.hyperparameters(spec, self.config)
        options = self._options(spec, hyper, ctx)
        model = registry.build(spec).update(models.get(self.store, self.version), data, options)
        self._check(ctx)
        directory = datastore.model_dir(self.store, self.version)
        directory = directory.with_name(f"{directory.name}-{arns.new_version_id()}")
        artifacts.save_model(model, directory)
        return model, directory

    def publish(self, result: tuple[Model, Path]) -> None:
        model, directory = result
        version = self.version
        if (self.store.records[KIND].get(version.arn) is not version
                or version.status != lifecycle.ACTIVE):  # deleted or replaced meanwhile
            shutil.rmtree(directory, ignore_errors=True)
            return
        previous = version.model_dir
        models.publish(self.store, version, model, directory)
        version.model_data = self.data
        if previous and previous != str(directory):
            shutil.rmtree(previous, ignore_errors=True)


@schedule.due(KIND, "auto_update_at")
def _auto_update(store: Store, version: SolutionVersionRecord, now: datetime) -> str | None:
    """Two hours have passed: refresh the version if it is still its solution's latest ACTIVE
    one (else it is no longer updated) and new data came in since its model was built."""
    version.auto_update_at = schedule.next_after(version.auto_update_at, schedule.AUTO_UPDATE, now)
    solution = store.records["solution"].get(version.solution_arn)
    latest = next((v for v in solutions.versions_of(store, version.solution_arn)
                   if v.status == lifecycle.ACTIVE), None)  # fmt: skip
    if solution is None or latest is not version:
        version.auto_update_at = None
        return None
    mark = schedule.data_mark(store, version.dataset_group_arn, schedule.CATALOGUE_TYPES)
    if mark == version.model_data:
        return None
    refresh = _Refresh(store, solution, version, _check_data(store, solution), None)
    hidden = SolutionUpdate()  # the job's statuses: nothing a describe shows changes
    runner_for(store).submit(version, refresh.run, path="update", target=hidden,
                             on_success=refresh.publish)  # fmt: skip
    return version.arn
