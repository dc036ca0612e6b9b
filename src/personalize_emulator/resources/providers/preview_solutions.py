"""Preview-dialect solutions: CreateSolution trains, GetMetrics, RetrainSolution, versions.

In December 2018 CreateSolution was "create and train": the blog polls ``solution.status``
until training is over. Here it is GA CreateSolution followed, once the solution is ACTIVE, by
GA CreateSolutionVersion (at once in sync job mode; from a waiting thread in async mode). The
version it starts is remembered, and the preview's solution status is derived from it:

==========================================  ==============================================
GA solution / initial version               preview ``solution.status``
==========================================  ==============================================
solution not ACTIVE                         the solution's own status (and failure reason)
training could not start (no data, ...)     CREATE FAILED, the API error's message
version pending or training                 CREATE IN_PROGRESS
version ACTIVE                              ACTIVE
version CREATE FAILED / stopped             CREATE FAILED, the version's failure reason
==========================================  ==============================================

Solutions made through GA keep the GA meaning (ACTIVE without training). Preview-only members
(``minTPS`` / ``minProvisionedTPS``, ``retrainingMode``, ``retrainSchedule``, the recipe ARN
the client gave) are kept beside the GA record; see ``preview_recipes`` for how preview recipes
reach the GA pipeline.

GetMetrics reports GA GetSolutionMetrics under the model ARN
``model/<preview recipe name>-<8hex>`` (hex stable per version), adds the preview's
``mean_reciprocal_rank`` (= ``mean_reciprocal_rank_at_25``) and its statistics of the training
data, pinned when a preview call starts the training (for versions trained through GA, at their
first GetMetrics): ``_num_evaluation_users`` (the test users of Personalize's split),
``_num_unique_items``, and the mean and 10/50/90 % quantiles of the users' history lengths.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from ...engines import registry
from ...engines.evaluation import personalize_split
from ...engines.training import validate_interactions
from ...protocol.context import GA, PREVIEW
from ...protocol.errors import (
    InvalidInputException,
    ResourceNotFoundException,
    ServiceError,
)
from .. import arns, lifecycle, training_data
from ..common import get_record
from ..jobs import runner_for
from ..pagination import newest_first
from ..store import Store
from . import preview_recipes as recipes
from .preview_common import (
    extras,
    ga,
    pick,
    pick_page,
    preview,
    preview_list,
    set_extras,
    short_hash,
)

KIND = "solution"
VERSION_KIND = "solution-version"
PREVIEW_ONLY_CONFIG = ("retrainingMode", "retrainSchedule")
PREVIEW_CONFIG = (
    "eventValueThreshold", "hpoConfig", "algorithmHyperParameters",
    "featureTransformationParameters", "autoMLConfig", *PREVIEW_ONLY_CONFIG,
)  # fmt: skip
DEFAULT_AUTOML = (registry.RECIPE_PREFIX + "awspersonalizehrnnmodel",)
METRIC_NAMES = {"mean_reciprocal_rank": "mean_reciprocal_rank_at_25"}
VERSION_SUMMARY = (
    "solutionVersionArn", "status", "failureReason", "creationDateTime", "lastUpdatedDateTime",
)  # fmt: skip
STOPPED = (lifecycle.CREATE_STOPPING, lifecycle.CREATE_STOPPED)


# --- CreateSolution ----------------------------------------------------------------------------


@preview("CreateSolution")
def create_solution(
    store: Store,
    *,
    name: str,
    datasetGroupArn: str,
    recipeArn: str | None = None,
    performAutoML: bool | None = None,
    performHPO: bool | None = None,
    eventType: str | None = None,
    minTPS: int | None = None,
    minProvisionedTPS: int | None = None,
    solutionConfig: dict[str, Any] | None = None,
) -> dict:
    if minTPS is not None and minProvisionedTPS is not None and minTPS != minProvisionedTPS:
        raise InvalidInputException(
            f"Invalid parameter minProvisionedTPS: minTPS ({minTPS}) and minProvisionedTPS"
            f" ({minProvisionedTPS}) name the same setting; give one of them."
        )
    tps = next((t for t in (minProvisionedTPS, minTPS) if t is not None), 1)
    config = {k: v for k, v in (solutionConfig or {}).items() if k not in PREVIEW_ONLY_CONFIG}
    chosen: dict[str, str] = {}  # GA recipe ARN -> the preview ARN the client named
    ga_recipe = recipeArn
    if performAutoML and not recipeArn:
        config["autoMLConfig"] = _automl_config(config.get("autoMLConfig") or {}, chosen)
    elif recipeArn and not performAutoML:
        ga_recipe = recipes.ga_arn(recipeArn)
        chosen[ga_recipe] = recipeArn
    # Anything else (both or neither of recipeArn / performAutoML) GA refuses as it should.
    out = ga(
        "CreateSolution",
        store,
        name=name,
        datasetGroupArn=datasetGroupArn,
        recipeArn=ga_recipe,
        performAutoML=performAutoML,
        performHPO=performHPO,
        eventType=eventType,
        solutionConfig=config or None,
        recipe_dialects=(GA, PREVIEW),  # DeepFM / FFNN train their own preview recipe
    )
    with store.lock:
        record = store.records[KIND][out["solutionArn"]]
        set_extras(store, record, recipeArn=recipeArn, chosen=chosen, tps=tps,
                   config=solutionConfig or {}, trainOnCreate=True)  # fmt: skip
    _train_when_active(store, record)
    return {"solutionArn": record.arn}


def _automl_config(auto: dict[str, Any], chosen: dict[str, str]) -> dict[str, Any]:
    """The GA autoMLConfig: preview candidates as the GA recipes they train with."""
    ga_list: list[str] = []
    for arn in auto.get("recipeList") or DEFAULT_AUTOML:
        ga_recipe = recipes.ga_arn(arn, "solutionConfig.autoMLConfig.recipeList")
        if ga_recipe not in chosen:
            chosen[ga_recipe] = arn
            ga_list.append(ga_recipe)
    out = {**auto, "recipeList": ga_list}
    if auto.get("metricName"):
        out["metricName"] = METRIC_NAMES.get(auto["metricName"], auto["metricName"])
    return out


def _train_when_active(store: Store, solution: Any) -> None:
    """GA CreateSolutionVersion as soon as the solution is ACTIVE (now, in sync job mode)."""
    runner = runner_for(store)
    job = runner.job_for(solution)
    generation = store.generation

    def start() -> None:
        with store.lock:
            if store.generation != generation or store.records[KIND].get(solution.arn) is not solution:
                return  # reset or deleted meanwhile
        try:
            out = ga("CreateSolutionVersion", store, solutionArn=solution.arn)
        except ServiceError as exc:
            set_extras(store, solution, trainingFailure=f"Create failed. {exc.message}")
            return
        set_extras(store, solution, initialVersion=out["solutionVersionArn"])
        _pin_statistics(store, out["solutionVersionArn"])

    if job is None or job.done:
        start()
        return

    def wait_then_start() -> None:
        runner.wait(job)
        start()

    threading.Thread(target=wait_then_start, name="preview-train", daemon=True).start()


# --- views -------------------------------------------------------------------------------------


def _versions(store: Store, solution_arn: str) -> list[Any]:
    return newest_first(
        v for v in store.records[VERSION_KIND].values() if v.solution_arn == solution_arn
    )


def status_of(store: Store, solution: Any) -> tuple[str | None, str | None]:
    """The preview's (status, failureReason) of a solution; see the module docstring."""
    if solution.status != lifecycle.ACTIVE:
        return solution.status, solution.failure_reason
    x = extras(store, solution)
    if not x.get("trainOnCreate"):
        return solution.status, None
    if x.get("trainingFailure"):
        return lifecycle.CREATE_FAILED, x["trainingFailure"]
    version = store.records[VERSION_KIND].get(x.get("initialVersion") or "")
    if version is None:
        return lifecycle.CREATE_IN_PROGRESS, None
    if version.status == lifecycle.ACTIVE:
        return lifecycle.ACTIVE, None
    if version.status == lifecycle.CREATE_FAILED:
        return lifecycle.CREATE_FAILED, version.failure_reason
    if version.status in STOPPED:
        return lifecycle.CREATE_FAILED, "Training was stopped."
    return lifecycle.CREATE_IN_PROGRESS, None


def _preview_config(store: Store, solution: Any, config: dict[str, Any] | None) -> Any:
    x = extras(store, solution)
    if "config" in x:  # made through the preview: echo what the client sent
        return x["config"] or None
    return pick(config, PREVIEW_CONFIG) or None


def _recipe_arn(store: Store, solution: Any, ga_recipe: str | None) -> str | None:
    return recipes.preview_arn_of(ga_recipe, extras(store, solution).get("chosen"))


def _version_summary(v: Any) -> dict[str, Any]:
    return {
        "solutionVersionArn": v.arn,
        "status": v.status,
        "failureReason": v.failure_reason,
        "creationDateTime": v.created,
        "lastUpdatedDateTime": v.updated,
    }


def _solution_view(store: Store, solution: Any) -> dict[str, Any]:
    status, reason = status_of(store, solution)
    x = extras(store, solution)
    versions = _versions(store, solution.arn)
    best = _recipe_arn(store, solution, solution.best_recipe_arn)
    return {
        "name": solution.name,
        "solutionArn": solution.arn,
        "performHPO": solution.perform_hpo,
        "performAutoML": solution.perform_auto_ml,
        "recipeArn": _recipe_arn(store, solution, solution.recipe_arn),
        "datasetGroupArn": solution.dataset_group_arn,
        "eventType": solution.event_type,
        "minTPS": x.get("tps"),
        "minProvisionedTPS": x.get("tps"),
        "solutionConfig": _preview_config(store, solution, solution.solution_config),
        "autoMLResult": {"bestRecipeArn": best} if best else None,
        "status": status,
        "failureReason": reason,
        "creationDateTime": solution.created,
        "lastUpdatedDateTime": solution.updated,
        "latestSolutionVersion": _version_summary(versions[0]) if versions else None,
    }


@preview("DescribeSolution")
def describe_solution(store: Store, *, solutionArn: str) -> dict:
    with store.lock:
        solution = get_record(store, KIND, solutionArn, "solutionArn")
        return {"solution": _solution_view(store, solution)}


@preview("ListSolutions")
def list_solutions(
    store: Store,
    *,
    datasetGroupArn: str | None = None,
    nextToken: str | None = None,
    maxResults: int | None = None,
) -> dict:
    page = ga("ListSolutions", store, datasetGroupArn=datasetGroupArn, nextToken=nextToken,
              maxResults=maxResults)  # fmt: skip
    with store.lock:
        for item in page.get("solutions", []):
            solution = store.records[KIND].get(item["solutionArn"])
            if solution is not None:
                item["status"] = status_of(store, solution)[0]
    return pick_page(page, "solutions",
                     ("name", "solutionArn", "status", "creationDateTime", "lastUpdatedDateTime"))  # fmt: skip


@preview("DeleteSolution")
def delete_solution(store: Store, *, solutionArn: str) -> None:
    ga("DeleteSolution", store, solutionArn=solutionArn)


# --- versions ----------------------------------------------------------------------------------


@preview("RetrainSolution")
def retrain_solution(store: Store, *, solutionArn: str) -> dict:
    out = ga("CreateSolutionVersion", store, solutionArn=solutionArn)
    _pin_statistics(store, out["solutionVersionArn"])
    return {"solutionVersionArn": out["solutionVersionArn"]}


@preview("DescribeSolutionVersion")
def describe_solution_version(store: Store, *, solutionVersionArn: str) -> dict:
    with store.lock:
        v = get_record(store, VERSION_KIND, solutionVersionArn, "solutionVersionArn")
        solution = store.records[KIND].get(v.solution_arn)
        owner = solution if solution is not None else v
        return {
            "solutionVersion": {
                "solutionVersionArn": v.arn,
                "solutionArn": v.solution_arn,
                "performHPO": v.perform_hpo,
                "performAutoML": v.perform_auto_ml,
                "recipeArn": _recipe_arn(store, owner, v.recipe_arn),
                "eventType": v.event_type,
                "datasetGroupArn": v.dataset_group_arn,
                "solutionConfig": _preview_config(store, owner, v.solution_config),
                "trainingHours": v.training_hours,
                "status": v.status,
                "failureReason": v.failure_reason,
                "creationDateTime": v.created,
                "lastUpdatedDateTime": v.updated,
            }
        }


list_solution_versions = preview_list(
    "ListSolutionVersions", "solutionVersions", VERSION_SUMMARY
)

# --- GetMetrics --------------------------------------------------------------------------------


@preview("GetMetrics")
def get_metrics(store: Store, *, solutionArn: str, solutionVersionArn: str | None = None) -> dict:
    with store.lock:
        solution = get_record(store, KIND, solutionArn, "solutionArn")
        version = _trained_version(store, solution, solutionVersionArn)
        recipe = _recipe_arn(store, solution, version.recipe_arn)
    metrics = dict(ga("GetSolutionMetrics", store, solutionVersionArn=version.arn)["metrics"])
    for preview_name, ga_name in METRIC_NAMES.items():
        if ga_name in metrics:
            metrics[preview_name] = metrics[ga_name]
    metrics.update(_statistics(store, version))
    return {"metrics": {model_arn(store, version, recipe): metrics}}


def _trained_version(store: Store, solution: Any, version_arn: str | None) -> Any:
    if version_arn is None:
        active = [v for v in _versions(store, solution.arn) if v.status == lifecycle.ACTIVE]
        if not active:
            raise ResourceNotFoundException(
                f"Solution {solution.arn} has no trained model yet; metrics are available once"
                " its training has finished (status ACTIVE)."
            )
        return active[0]
    version = get_record(store, VERSION_KIND, version_arn, "solutionVersionArn")
    if version.solution_arn != solution.arn:
        raise InvalidInputException(
            f"Invalid parameter solutionVersionArn: {version_arn} is not a version of"
            f" solution {solution.arn}."
        )
    if version.status != lifecycle.ACTIVE:
        raise ResourceNotFoundException(
            f"Solution version {version_arn} has no trained model (status: {version.status})."
        )
    return version


def model_arn(store: Store, version: Any, recipe_arn: str | None) -> str:
    """``arn:<partition>:personalize:<region>:<account>:model/<recipe name>-<8hex>``."""
    partition = arns.partition_for(store.region)
    suffix = short_hash(version.arn, version.created)
    return (
        f"arn:{partition}:personalize:{store.region}:{store.account_id}:model/"
        f"{recipes.recipe_name(recipe_arn)}-{suffix}"
    )


def _pin_statistics(store: Store, version_arn: str) -> None:
    """Record the training data's statistics as the version starts training."""
    with store.lock:
        version = store.records[VERSION_KIND].get(version_arn)
    if version is not None:
        _statistics(store, version)


def _statistics(store: Store, version: Any) -> dict[str, float]:
    """The version's training-data statistics (computed once, then kept beside it)."""
    with store.lock:
        known = extras(store, version).get("statistics")
        if known is not None:
            return dict(known)
        tables = training_data.tables_of(store, version.dataset_group_arn)
    stats = data_statistics(tables, version.event_type)
    set_extras(store, version, statistics=stats)
    return dict(stats)


def data_statistics(tables: dict[str, Any], event_type: str | None) -> dict[str, float]:
    """The preview's ``_num_*`` / ``_user_history_length_*`` keys for a group's data."""
    if "INTERACTIONS" not in tables:
        return {}
    data = training_data.assemble(tables)
    frame = training_data.filter_events(data.interactions, event_type, None)
    if len(frame) == 0:
        return {}
    frame = validate_interactions(frame)
    lengths = frame.groupby("USER_ID").size().to_numpy(dtype=float)
    split = personalize_split(frame, 0)
    q10, q50, q90 = np.quantile(lengths, [0.1, 0.5, 0.9])
    return {
        "_num_evaluation_users": float(len(split.test_users)),
        "_num_unique_items": float(frame["ITEM_ID"].nunique()),
        "_user_history_length_mean": float(lengths.mean()),
        "_user_history_length_10_pct_quantile": float(q10),
        "_user_history_length_50_pct_quantile": float(q50),
        "_user_history_length_90_pct_quantile": float(q90),
    }
