"""Solutions: CreateSolution, DescribeSolution, ListSolutions, UpdateSolution, DeleteSolution.

A solution is configuration only: on the GA API creating one trains nothing (that is
CreateSolutionVersion), so it walks CREATE PENDING -> CREATE IN_PROGRESS -> ACTIVE through the
job runner like any resource. Everything that can be checked without data is checked here,
with InvalidInputException naming the member:

* ``recipeArn`` is required unless ``performAutoML``, and must then be absent; it must be a GA
  custom recipe (domain use-case recipes are for recommenders);
* ``algorithmHyperParameters`` / ``featureTransformationParameters`` must be the recipe's own
  (algorithm-scope / featurization-scope) parameters, with values in their declared ranges;
* ``hpoConfig`` ranges must name tunable parameters and stay inside their declared ranges;
  ``hpoResourceConfig`` allows at most 40 jobs, 10 in parallel;
* ``autoMLConfig.recipeList`` may hold only USER_PERSONALIZATION recipes, ``metricName`` must be
  a metric GetSolutionMetrics reports;
* ``eventValueThreshold`` must be a number; ``autoTrainingConfig.schedulingExpression`` must be
  ``rate(N day|days)`` with N from 1 to 30; ``performIncrementalUpdate`` is for
  aws-semantic-similarity only;
* ``eventsConfig`` (also UpdateSolution's) is for the v2 recipes, as the guide says: each entry
  names a distinct event type, at least one weight is above 0, and the Interactions schema has
  EVENT_TYPE (and EVENT_VALUE when a threshold is given); CreateSolutionVersion then refuses
  listed event types that do not occur in the data;
* ``optimizationObjective`` is for aws-user-personalization(-v2) and
  aws-personalized-ranking(-v2) and must name a numerical, non-null column of the group's Items
  schema -- the guide's requirements, checked against the Items dataset the guide says comes
  first.

The guide leaves open what other recipes do with the two: they are refused here
(InvalidInputException naming the recipes that take them) rather than silently ignored. An
entry's omitted ``weight`` counts 1.0, an omitted ``objectiveSensitivity`` MEDIUM, and an empty
``eventParametersList`` means no events configuration (how an update removes one). With
``performAutoML`` only ``autoMLConfig`` is read, so AutoML solutions ignore both.

Automatic training (``performAutoTraining``, default true) runs on the emulated clock
(``resources.clock``, ``resources.schedule``): the first automatic version is due one hour after
the solution becomes ACTIVE (or after an update turns automatic training on), then one every
``autoTrainingConfig.schedulingExpression`` (default 7 days). A version the user creates
before the first one is due skips it, as the API reference says. As the guide says, a due
run trains only when interaction data was imported or put since the last training (of any
kind); otherwise the slot passes without a version. Automatic versions show trainingMode
AUTOTRAIN and trainingType AUTOMATIC (``solution_versions``). Where the sources are silent:
a run comes exactly one hour after ACTIVE (the service says "within one hour"); changing
only the schedule of a solution already training automatically makes the next run due one
new period after the update completes (a first run still pending keeps its time); turning
automatic training off drops the pending run.

UpdateSolution's progress is ``latestSolutionUpdate`` (absent until the first update); its
settings take effect when it reaches ACTIVE. DeleteSolution is refused while a campaign uses
the solution or one of its versions is being created; it removes the versions and their models.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from ...engines import registry
from ...engines.base import EngineError
from ...protocol.errors import InvalidInputException, ResourceInUseException
from .. import arns, clock, lifecycle, models, schedule
from ..common import (
    active_group,
    ensure_deletable,
    ensure_new,
    get_record,
    list_operation,
    no_work,
    remove,
    start_create,
    status_summary,
    tags_from_wire,
)
from ..handlers import handler
from ..jobs import runner_for
from ..pagination import newest_first
from ..pipeline_records import SolutionRecord, SolutionUpdate, SolutionVersionRecord
from ..store import Store
from ..training_data import event_types, tables_of

KIND = "solution"
VERSION_KIND = "solution-version"
DIALECT = "ga"
#: Recipes a trained solution may name: checked by dialect when the solution was created.
ANY_DIALECT = ("ga", "preview")
MAX_HPO_JOBS = 40
MAX_HPO_PARALLEL = 10
#: What AutoML and HPO maximise: the service does not let users configure the HPO objective.
DEFAULT_OBJECTIVE = "precision_at_25"
#: AutoML's candidates when ``autoMLConfig.recipeList`` is not given.
DEFAULT_AUTOML_RECIPES = ("aws-user-personalization", "aws-user-personalization-v2")
ITEM_METRICS = frozenset(
    {f"{m}_at_{k}" for m in ("precision", "normalized_discounted_cumulative_gain")
     for k in (5, 10, 25)}
    | {"mean_reciprocal_rank_at_25", "coverage"}
)  # fmt: skip
_SCHEDULE = re.compile(r"^rate\((\d+) days?\)$")
#: Recipes whose solutions take solutionConfig.eventsConfig / optimizationObjective (the guide).
EVENTS_CONFIG_RECIPES = ("aws-user-personalization-v2", "aws-personalized-ranking-v2")
OBJECTIVE_RECIPES = ("aws-user-personalization", "aws-user-personalization-v2",
                     "aws-personalized-ranking", "aws-personalized-ranking-v2")
DEFAULT_SENSITIVITY = "MEDIUM"


# --- reading a solution's configuration ------------------------------------------------------


def recipe_spec(
    arn: str, member: str = "recipeArn", dialects: Collection[str] = (DIALECT,)
) -> registry.RecipeSpec:
    """A custom recipe of one of ``dialects`` by ARN (II for a wrong kind or a domain recipe,
    RNF if unknown). GA requests take GA recipes only; the preview dialect's CreateSolution
    also passes its own recipes (DeepFM, FFNN: engines with no GA name)."""
    arns.expect(arn, "recipe", member)
    spec = registry.get_recipe(arn)
    if spec is None or spec.arn != arn or not set(dialects) & spec.dialects:
        raise arns.not_found(arn)
    if spec.domain is not None:
        raise InvalidInputException(
            f"Invalid parameter {member}: {arn} is a {spec.domain} domain use-case recipe;"
            " use it with CreateRecommender. Solutions take custom recipes."
        )
    return spec


def event_value_threshold(config: Mapping[str, Any] | None) -> float | None:
    text = (config or {}).get("eventValueThreshold")
    if text is None or str(text).strip() == "":
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidInputException(
            f"Invalid parameter solutionConfig.eventValueThreshold: {text!r} is not a number."
        ) from None


def _only_for(spec: registry.RecipeSpec | None, recipes: tuple[str, ...], where: str,
              what: str) -> None:
    if spec is None or spec.name not in recipes:
        raise InvalidInputException(
            f"Invalid parameter {where}: {what} is only available for the"
            f" {', '.join(recipes[:-1])} and {recipes[-1]} recipes; recipe"
            f" {spec.name if spec else '(none)'} does not support it."
        )


def event_weights(
    spec: registry.RecipeSpec | None,
    config: Mapping[str, Any] | None,
    member: str = "solutionConfig",
) -> dict[str, tuple[float | None, float]] | None:
    """``eventsConfig`` as ``FitOptions.event_weights`` (None without one), checked."""
    params = ((config or {}).get("eventsConfig") or {}).get("eventParametersList") or []
    if not params:
        return None
    where = f"{member}.eventsConfig"
    _only_for(spec, EVENTS_CONFIG_RECIPES, where, "an events configuration")
    out: dict[str, tuple[float | None, float]] = {}
    for n, entry in enumerate(params, start=1):
        name = str(entry.get("eventType") or "").strip()
        if not name:
            raise InvalidInputException(
                f"Invalid parameter {where}.eventParametersList: entry {n} has no eventType."
            )
        if name.lower() in out:
            raise InvalidInputException(
                f"Invalid parameter {where}.eventParametersList: event type {name} is listed"
                " more than once."
            )
        threshold, weight = entry.get("eventValueThreshold"), entry.get("weight")
        out[name.lower()] = (None if threshold is None else float(threshold),
                             1.0 if weight is None else float(weight))  # fmt: skip
    if not any(weight > 0 for _, weight in out.values()):
        raise InvalidInputException(
            f"Invalid parameter {where}.eventParametersList: at least one event type needs a"
            " weight above 0."
        )
    return out


def objective(
    spec: registry.RecipeSpec | None,
    config: Mapping[str, Any] | None,
    member: str = "solutionConfig",
) -> tuple[str, str] | None:
    """``optimizationObjective`` as ``FitOptions.objective`` (None without one), checked."""
    goal = (config or {}).get("optimizationObjective") or {}
    if not goal:
        return None
    where = f"{member}.optimizationObjective"
    _only_for(spec, OBJECTIVE_RECIPES, where, "an optimization objective")
    if not goal.get("itemAttribute"):
        raise InvalidInputException(
            f"Invalid parameter {where}.itemAttribute: name the numerical column of the Items"
            " dataset to optimize for."
        )
    return goal["itemAttribute"], goal.get("objectiveSensitivity") or DEFAULT_SENSITIVITY


def check_datasets(
    store: Store,
    group_arn: str,
    spec: registry.RecipeSpec | None,
    config: Mapping[str, Any] | None,
    member: str = "solutionConfig",
    *,
    data: bool = False,
) -> None:
    """Under ``store.lock``: ``eventsConfig`` and ``optimizationObjective`` against the group's
    schemas (an Interactions dataset not created yet is checked by CreateSolutionVersion), and
    with ``data`` the listed event types against the interactions themselves."""
    weights, goal = event_weights(spec, config, member), objective(spec, config, member)
    if not weights and not goal:
        return
    tables = tables_of(store, group_arn)
    interactions = tables.get("INTERACTIONS")
    if weights and interactions is not None:
        _check_event_columns(interactions, weights, f"{member}.eventsConfig")
        missing = sorted(set(weights) - event_types(interactions)) if data else []
        if missing:
            raise InvalidInputException(
                f"Invalid parameter {member}.eventsConfig.eventParametersList: event type(s)"
                f" {', '.join(missing)} do not occur in the Interactions dataset of {group_arn}."
            )
    if goal:
        _check_objective_column(tables.get("ITEMS"), goal[0], group_arn,
                                f"{member}.optimizationObjective.itemAttribute")  # fmt: skip


def _check_event_columns(interactions: Any, weights: Mapping[str, Any], where: str) -> None:
    if interactions.parsed.field("EVENT_TYPE") is None:
        raise InvalidInputException(
            f"Invalid parameter {where}: the Interactions dataset has no EVENT_TYPE column;"
            " event weights need one."
        )
    thresholds = [t for t, (threshold, _) in weights.items() if threshold is not None]
    if thresholds and interactions.parsed.field("EVENT_VALUE") is None:
        raise InvalidInputException(
            f"Invalid parameter {where}: event type(s) {', '.join(thresholds)} have an"
            " eventValueThreshold, but the Interactions dataset has no EVENT_VALUE column."
        )


def _check_objective_column(items: Any, column: str, group_arn: str, where: str) -> None:
    """The guide's requirements: a column of the Items schema, numerical, without null."""
    if items is None:
        raise InvalidInputException(
            f"Invalid parameter {where}: dataset group {group_arn} has no Items dataset; an"
            " optimization objective needs a numerical column of one."
        )
    field = items.parsed.field(column)
    numeric = sorted(f.name for f in items.parsed.fields if f.numeric and not f.nullable
                     and f.name != "CREATION_TIMESTAMP")  # fmt: skip
    if field is None:
        raise InvalidInputException(
            f"Invalid parameter {where}: {column} is not a column of the Items dataset"
            f" (numerical columns: {', '.join(numeric) or 'none'})."
        )
    if not field.numeric:
        raise InvalidInputException(
            f"Invalid parameter {where}: {column} is a {field.avro_type} column; the objective"
            " must be a numerical (int, long, float or double) column of the Items dataset."
        )
    if field.nullable:
        raise InvalidInputException(
            f"Invalid parameter {where}: {column} allows null in the Items schema; the"
            " objective column can't have a null type."
        )


def hyperparameters(spec: registry.RecipeSpec, config: Mapping[str, Any] | None) -> dict[str, str]:
    """The recipe's defaults overlaid with the solution's values (checked)."""
    config = config or {}
    algorithm = _checked_params(spec, config.get("algorithmHyperParameters"), "algorithm")
    featurization = _checked_params(
        spec, config.get("featureTransformationParameters"), "featurization"
    )
    return registry.resolve_hyperparameters(spec, algorithm, featurization)


def _checked_params(
    spec: registry.RecipeSpec, given: Mapping[str, str] | None, scope: str
) -> dict[str, str]:
    member = (
        "solutionConfig.algorithmHyperParameters"
        if scope == "algorithm"
        else "solutionConfig.featureTransformationParameters"
    )
    out: dict[str, str] = {}
    for name, value in (given or {}).items():
        hp = spec.hyperparameter(name)
        if hp is None or hp.scope != scope:
            valid = sorted(h.name for h in spec.hyperparameters if h.scope == scope)
            raise InvalidInputException(
                f"Invalid parameter {member}: {name} is not a {scope} hyperparameter of recipe"
                f" {spec.name} (valid: {', '.join(valid) or 'none'})."
            )
        try:
            out[name] = hp.check(value)
        except EngineError as exc:
            raise InvalidInputException(f"Invalid parameter {member}: {exc}.") from None
    return out


def hpo_ranges(spec: registry.RecipeSpec, config: Mapping[str, Any] | None) -> dict[str, Any]:
    """The search space: each tunable parameter's declared range, narrowed by ``hpoConfig``.

    Returns ``{name: ("integer"|"continuous", lo, hi) | ("categorical", values)}``.
    """
    space: dict[str, Any] = {}
    for hp in spec.hyperparameters:
        if hp.tunable and hp.scope == "algorithm":
            if hp.kind == "categorical":
                space[hp.name] = ("categorical", tuple(hp.values))
            else:
                space[hp.name] = (hp.kind, hp.min, hp.max)
    ranges = ((config or {}).get("hpoConfig") or {}).get("algorithmHyperParameterRanges") or {}
    member = "solutionConfig.hpoConfig.algorithmHyperParameterRanges"
    for key, kind in (
        ("integerHyperParameterRanges", "integer"),
        ("continuousHyperParameterRanges", "continuous"),
        ("categoricalHyperParameterRanges", "categorical"),
    ):
        for entry in ranges.get(key) or ():
            name = entry.get("name")
            hp = spec.hyperparameter(name or "")
            if hp is None or not hp.tunable or hp.scope != "algorithm":
                tunable = sorted(space)
                raise InvalidInputException(
                    f"Invalid parameter {member}: {name} is not a tunable hyperparameter of"
                    f" recipe {spec.name} (tunable: {', '.join(tunable) or 'none'})."
                )
            if hp.kind != kind:
                raise InvalidInputException(
                    f"Invalid parameter {member}: {name} is a {hp.kind} hyperparameter, not {kind}."
                )
            if kind == "categorical":
                values = [str(v) for v in entry.get("values") or ()]
                allowed = {v.lower() for v in hp.values}
                bad = [v for v in values if v.lower() not in allowed]
                if bad or not values:
                    raise InvalidInputException(
                        f"Invalid parameter {member}: values for {name} must be among"
                        f" {', '.join(hp.values)}."
                    )
                space[name] = ("categorical", tuple(values))
                continue
            lo = entry.get("minValue", hp.min)
            hi = entry.get("maxValue", hp.max)
            if (hp.min is not None and lo < hp.min) or (hp.max is not None and hi > hp.max):
                raise InvalidInputException(
                    f"Invalid parameter {member}: the range [{lo}, {hi}] for {name} is outside"
                    f" its allowed range [{hp.min}, {hp.max}]."
                )
            if lo > hi:
                raise InvalidInputException(
                    f"Invalid parameter {member}: minValue {lo} of {name} exceeds maxValue {hi}."
                )
            space[name] = (kind, lo, hi)
    return space


def hpo_budget(config: Mapping[str, Any] | None) -> tuple[int, int]:
    """(maxNumberOfTrainingJobs, maxParallelTrainingJobs) with the service's caps checked."""
    resource = ((config or {}).get("hpoConfig") or {}).get("hpoResourceConfig") or {}
    out = []
    for key, cap, default in (
        ("maxNumberOfTrainingJobs", MAX_HPO_JOBS, 8),
        ("maxParallelTrainingJobs", MAX_HPO_PARALLEL, 1),
    ):
        raw = resource.get(key)
        if raw is None:
            out.append(default)
            continue
        try:
            value = int(str(raw))
        except ValueError:
            value = 0
        if not 1 <= value <= cap:
            raise InvalidInputException(
                f"Invalid parameter solutionConfig.hpoConfig.hpoResourceConfig.{key}:"
                f" {raw!r} must be an integer from 1 to {cap}."
            )
        out.append(value)
    return out[0], out[1]


def automl_candidates(
    config: Mapping[str, Any] | None, dialects: Collection[str] = (DIALECT,)
) -> tuple[list[registry.RecipeSpec], str]:
    """(candidate recipes, metric to maximise) of an AutoML solution."""
    auto = (config or {}).get("autoMLConfig") or {}
    metric = auto.get("metricName") or DEFAULT_OBJECTIVE
    if metric not in ITEM_METRICS:
        raise InvalidInputException(
            f"Invalid parameter solutionConfig.autoMLConfig.metricName: {metric} is not one of"
            f" {', '.join(sorted(ITEM_METRICS))}."
        )
    names = auto.get("recipeList") or [registry.RECIPE_PREFIX + n for n in DEFAULT_AUTOML_RECIPES]
    specs = []
    for arn in names:
        spec = recipe_spec(arn, "solutionConfig.autoMLConfig.recipeList", dialects)
        if spec.recipe_type != "USER_PERSONALIZATION":
            raise InvalidInputException(
                "Invalid parameter solutionConfig.autoMLConfig.recipeList: AutoML chooses among"
                f" USER_PERSONALIZATION recipes; {spec.name} is {spec.recipe_type}."
            )
        specs.append(spec)
    return specs, metric


def _check_schedule(config: Mapping[str, Any] | None, member: str) -> None:
    expression = ((config or {}).get("autoTrainingConfig") or {}).get("schedulingExpression")
    if expression is None:
        return
    m = _SCHEDULE.match(expression)
    if m is None or not 1 <= int(m.group(1)) <= 30:
        raise InvalidInputException(
            f"Invalid parameter {member}.autoTrainingConfig.schedulingExpression:"
            f" {expression!r} must be rate(N days) with N from 1 to 30."
        )


def _check_config(
    spec: registry.RecipeSpec | None,
    config: Mapping[str, Any] | None,
    *,
    auto_ml: bool,
    dialects: Collection[str] = (DIALECT,),
) -> None:
    event_value_threshold(config)
    _check_schedule(config, "solutionConfig")
    if auto_ml:
        automl_candidates(config, dialects)
        return
    assert spec is not None
    hyperparameters(spec, config)
    hpo_ranges(spec, config)
    hpo_budget(config)
    event_weights(spec, config)
    objective(spec, config)


# --- wire shapes -------------------------------------------------------------------------------


def _summary(r: SolutionRecord) -> dict[str, Any]:
    return {
        **status_summary(r, "solutionArn", failure=False),
        "recipeArn": r.recipe_arn,
    }


def version_summary(v: SolutionVersionRecord) -> dict[str, Any]:
    return {
        "solutionVersionArn": v.arn,
        "status": v.status,
        "trainingMode": v.training_mode,
        "trainingType": v.training_type,
        "creationDateTime": v.created,
        "lastUpdatedDateTime": v.updated,
        "failureReason": v.failure_reason,
    }


def _update_summary(u: SolutionUpdate | None) -> dict[str, Any] | None:
    if u is None:
        return None
    return {
        "solutionUpdateConfig": u.solution_update_config,
        "status": u.status,
        "performAutoTraining": u.perform_auto_training,
        "performIncrementalUpdate": u.perform_incremental_update,
        "creationDateTime": u.created,
        "lastUpdatedDateTime": u.updated,
        "failureReason": u.failure_reason,
    }


def versions_of(store: Store, solution_arn: str) -> list[SolutionVersionRecord]:
    return newest_first(
        v for v in store.records[VERSION_KIND].values() if v.solution_arn == solution_arn
    )


# --- handlers ----------------------------------------------------------------------------------


@handler("personalize", "CreateSolution")
def create_solution(
    store: Store,
    *,
    name: str,
    datasetGroupArn: str,
    performHPO: bool | None = None,
    performAutoML: bool | None = None,
    performAutoTraining: bool | None = None,
    performIncrementalUpdate: bool | None = None,
    recipeArn: str | None = None,
    eventType: str | None = None,
    solutionConfig: dict[str, Any] | None = None,
    tags: list[dict[str, str]] | None = None,
    recipe_dialects: Collection[str] = (DIALECT,),
) -> dict:
    """``recipe_dialects`` is not a wire member (the validator drops undeclared members): the
    preview dialect's CreateSolution passes ``("ga", "preview")`` to train its own recipes."""
    auto_ml = bool(performAutoML)
    spec: registry.RecipeSpec | None = None
    if auto_ml:
        if recipeArn:
            raise InvalidInputException(
                "Invalid parameter recipeArn: a solution with performAutoML true chooses its"
                " recipe from solutionConfig.autoMLConfig.recipeList; recipeArn must not be set."
            )
    elif not recipeArn:
        raise InvalidInputException(
            "Invalid parameter recipeArn: recipeArn is required unless performAutoML is true."
        )
    else:
        spec = recipe_spec(recipeArn, dialects=recipe_dialects)
    if performIncrementalUpdate and (spec is None or spec.name != "aws-semantic-similarity"):
        raise InvalidInputException(
            "Invalid parameter performIncrementalUpdate: incremental updates are only"
            " available for the aws-semantic-similarity recipe."
        )
    _check_config(spec, solutionConfig, auto_ml=auto_ml, dialects=recipe_dialects)
    checked_tags = tags_from_wire(tags)
    arn = arns.build(KIND, name, region=store.region, account=store.account_id)
    with store.lock:
        active_group(store, datasetGroupArn, "solutions")
        ensure_new(store, KIND, arn)
        if not auto_ml:
            check_datasets(store, datasetGroupArn, spec, solutionConfig)
        record = SolutionRecord(
            arn=arn,
            name=name,
            dataset_group_arn=datasetGroupArn,
            recipe_arn=recipeArn if spec else None,
            perform_hpo=bool(performHPO),
            perform_auto_ml=auto_ml,
            perform_auto_training=True if performAutoTraining is None else performAutoTraining,
            perform_incremental_update=bool(performIncrementalUpdate),
            event_type=eventType,
            solution_config=solutionConfig,
        )
        start_create(store, KIND, record, checked_tags,
                     on_success=lambda _: arm_auto_training(record))  # fmt: skip
    return {"solutionArn": arn}


def arm_auto_training(solution: SolutionRecord) -> None:
    """Under the lock, as the solution becomes ACTIVE (or an update turns automatic training
    on): the first automatic version is due in an hour; none when automatic training is off."""
    on = solution.perform_auto_training
    solution.auto_training_at = clock.now() + schedule.FIRST_AUTO_TRAINING if on else None
    solution.auto_training_first = on


@handler("personalize", "DescribeSolution")
def describe_solution(store: Store, *, solutionArn: str) -> dict:
    with store.lock:
        r: SolutionRecord = get_record(store, KIND, solutionArn, "solutionArn")
        versions = versions_of(store, r.arn)
        return {
            "solution": {
                **_summary(r),
                "performHPO": r.perform_hpo,
                "performAutoML": r.perform_auto_ml,
                "performAutoTraining": r.perform_auto_training,
                "performIncrementalUpdate": r.perform_incremental_update,
                "datasetGroupArn": r.dataset_group_arn,
                "eventType": r.event_type,
                "solutionConfig": r.solution_config,
                "autoMLResult": (
                    {"bestRecipeArn": r.best_recipe_arn} if r.best_recipe_arn else None
                ),
                "latestSolutionVersion": version_summary(versions[0]) if versions else None,
                "latestSolutionUpdate": _update_summary(r.latest_update),
            }
        }


list_solutions = list_operation(
    "ListSolutions", KIND, "solutions", _summary, ("datasetGroupArn", "dataset-group")
)


@handler("personalize", "UpdateSolution")
def update_solution(
    store: Store,
    *,
    solutionArn: str,
    performAutoTraining: bool | None = None,
    performIncrementalUpdate: bool | None = None,
    solutionUpdateConfig: dict[str, Any] | None = None,
) -> dict:
    _check_schedule(solutionUpdateConfig, "solutionUpdateConfig")
    with store.lock:
        solution: SolutionRecord = get_record(store, KIND, solutionArn, "solutionArn")
        if performIncrementalUpdate and (
            solution.recipe_arn != registry.RECIPE_PREFIX + "aws-semantic-similarity"
        ):
            raise InvalidInputException(
                "Invalid parameter performIncrementalUpdate: incremental updates are only"
                " available for the aws-semantic-similarity recipe."
            )
        busy = solution.latest_update is not None and lifecycle.is_in_progress(
            solution.latest_update.status
        )
        if solution.status != lifecycle.ACTIVE or busy:
            raise ResourceInUseException(
                f"Solution {solutionArn} is not ACTIVE or an update is in progress"
                f" (status: {solution.status}); try again when it is ACTIVE."
            )
        if not solution.perform_auto_ml:  # AutoML reads autoMLConfig only
            spec = recipe_spec(solution.recipe_arn or "", dialects=ANY_DIALECT)
            check_datasets(store, solution.dataset_group_arn, spec, solutionUpdateConfig,
                           "solutionUpdateConfig")  # fmt: skip
        update = SolutionUpdate(
            solution_update_config=solutionUpdateConfig,
            perform_auto_training=(
                solution.perform_auto_training
                if performAutoTraining is None
                else performAutoTraining
            ),
            perform_incremental_update=(
                solution.perform_incremental_update
                if performIncrementalUpdate is None
                else performIncrementalUpdate
            ),
        )
        solution.latest_update = update

        def apply(_: object) -> None:
            was_on = solution.perform_auto_training
            period = schedule.auto_training_interval(solution.solution_config)
            solution.perform_auto_training = bool(update.perform_auto_training)
            solution.perform_incremental_update = bool(update.perform_incremental_update)
            if solutionUpdateConfig:
                config = dict(solution.solution_config or {})
                config.update(solutionUpdateConfig)
                solution.solution_config = config
            if not was_on or not solution.perform_auto_training:
                arm_auto_training(solution)
            elif (not solution.auto_training_first
                  and schedule.auto_training_interval(solution.solution_config) != period):
                solution.auto_training_at = clock.now() + schedule.auto_training_interval(
                    solution.solution_config)  # fmt: skip
            solution.touch()

        runner_for(store).submit(solution, no_work, path="update", target=update,
                                 on_success=apply)  # fmt: skip
    return {"solutionArn": solutionArn}


@handler("personalize", "DeleteSolution")
def delete_solution(store: Store, *, solutionArn: str) -> None:
    with store.lock:
        solution: SolutionRecord = get_record(store, KIND, solutionArn, "solutionArn")
        ensure_deletable(solution)
        campaigns = sorted(
            c.arn for c in store.records["campaign"].values() if c.solution_arn == solutionArn
        )
        if campaigns:
            raise ResourceInUseException(
                f"Solution {solutionArn} is used by campaign(s) {', '.join(campaigns)};"
                " delete them first."
            )
        versions = versions_of(store, solutionArn)
        training = [v.arn for v in versions if lifecycle.is_in_progress(v.status)]
        if training:
            raise ResourceInUseException(
                f"Solution {solutionArn} has solution version(s) being created:"
                f" {', '.join(training)}."
            )

        def drop_versions(_: object) -> None:
            for version in versions_of(store, solutionArn):
                models.forget(store, version)
                remove(store, VERSION_KIND, version.arn)

        runner_for(store).submit(solution, no_work, path="delete", on_success=drop_versions)
