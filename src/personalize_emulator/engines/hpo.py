"""Hyperparameter optimisation (``performHPO``): seeded random or grid search.

The search space is the solution's ``hpoConfig.algorithmHyperParameterRanges`` (wire shape:
``integerHyperParameterRanges`` / ``continuousHyperParameterRanges`` /
``categoricalHyperParameterRanges``), each checked to lie inside the recipe's declared range and
to name a tunable hyperparameter; without it, every tunable hyperparameter over its declared
range. The first trial is always the defaults (or the caller's fixed values), then candidates
are drawn with the seed. Each trial is scored by :func:`evaluation.evaluate` on the data it is
given -- callers pass the training data only, so the split evaluate makes from it is a
validation split and the test users' held-out events are never seen. As in the reference
protocol (``shared/baselines/eval_baselines.py``), the validation users are drawn with their own
seed (``VALIDATION_SEED_OFFSET + seed``) from the users not in ``exclude_users`` (the solution's
test users): with the test split's seed on its own training part, the draw would pick exactly
the test users again, and HPO would tune on the very users the metrics are reported for.
``hpoResourceConfig.maxNumberOfTrainingJobs`` bounds the trials (default 8, at most 40). The
objective is ``hpoObjective.metricName`` (default ``normalized_discounted_cumulative_gain_at_25``,
maximised, or the recipe type's main metric).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .base import EngineError, FitOptions
from .dataset import TrainingData
from .evaluation import evaluate
from .registry import HyperParameter, RecipeSpec, build

DEFAULT_JOBS = 8
VALIDATION_SEED_OFFSET = 10_000
MAX_JOBS = 40
GRID_POINTS = 3
DEFAULT_METRIC = {
    "USER_SEGMENTATION": "recall_at_1_percent",
    "PERSONALIZED_ACTIONS": "auc",
}


@dataclass
class HPOResult:
    best_params: dict[str, str]
    best_score: float
    metric: str
    trials: list[tuple[dict[str, str], float]] = field(default_factory=list)


@dataclass(frozen=True)
class _Range:
    hp: HyperParameter
    lo: float | None = None
    hi: float | None = None
    values: tuple[str, ...] = ()

    def sample(self, rng: np.random.Generator) -> str:
        if self.hp.kind == "categorical":
            return str(self.values[int(rng.integers(len(self.values)))])
        if self.hp.kind == "integer":
            return str(int(rng.integers(int(self.lo), int(self.hi) + 1)))
        return f"{rng.uniform(self.lo, self.hi):.6g}"

    def grid(self) -> list[str]:
        if self.hp.kind == "categorical":
            return list(self.values)
        points = np.linspace(self.lo, self.hi, GRID_POINTS)
        if self.hp.kind == "integer":
            return [str(v) for v in sorted({int(round(p)) for p in points})]
        return [f"{p:.6g}" for p in points]


def _declared(spec: RecipeSpec, name: str) -> HyperParameter:
    hp = spec.hyperparameter(name)
    if hp is None or hp.scope != "algorithm":
        raise EngineError(f"{name} is not a hyperparameter of {spec.name}")
    if not hp.tunable:
        raise EngineError(f"Hyperparameter {name} of {spec.name} is not tunable")
    return hp


def search_space(spec: RecipeSpec, ranges: Mapping[str, Any] | None) -> list[_Range]:
    if not ranges:
        return [
            _Range(hp, hp.min, hp.max, hp.values)
            for hp in spec.hyperparameters
            if hp.tunable and hp.scope == "algorithm"
        ]
    out = []
    for kind in ("integer", "continuous"):
        for entry in ranges.get(f"{kind}HyperParameterRanges", []) or []:
            hp = _declared(spec, entry["name"])
            lo = float(entry.get("minValue", hp.min))
            hi = float(entry.get("maxValue", hp.max))
            if (hp.min is not None and lo < hp.min) or (hp.max is not None and hi > hp.max) or lo > hi:
                raise EngineError(
                    f"Range [{lo:g}, {hi:g}] for {hp.name} is outside its allowed range "
                    f"[{hp.min}, {hp.max}]"
                )
            out.append(_Range(hp, lo, hi))
    for entry in ranges.get("categoricalHyperParameterRanges", []) or []:
        hp = _declared(spec, entry["name"])
        values = tuple(hp.check(v) for v in entry.get("values", []))
        if not values:
            raise EngineError(f"No values given for categorical hyperparameter {hp.name}")
        out.append(_Range(hp, values=values))
    return out


def _candidates(space: list[_Range], jobs: int, strategy: str, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    if strategy == "grid":
        grid = [dict(zip([r.hp.name for r in space], combo, strict=True))
                for combo in itertools.product(*[r.grid() for r in space])]
        order = rng.permutation(len(grid))
        return [grid[i] for i in order[:jobs]]
    if strategy != "random":
        raise EngineError(f"Unknown HPO strategy {strategy!r}")
    return [{r.hp.name: r.sample(rng) for r in space} for _ in range(jobs)]


def search(
    spec: RecipeSpec,
    data: TrainingData,
    options: FitOptions,
    hpo_config: Mapping[str, Any] | None = None,
    *,
    strategy: str = "random",
    exclude_users: Collection[str] = (),
) -> HPOResult:
    """Find the best hyperparameters for ``spec`` on ``data`` (the training data only).

    ``exclude_users`` (the solution's test users) are never drawn as validation users.
    """
    config = hpo_config or {}
    resources = config.get("hpoResourceConfig") or {}
    try:
        jobs = int(resources.get("maxNumberOfTrainingJobs", DEFAULT_JOBS))
    except (TypeError, ValueError):
        raise EngineError("maxNumberOfTrainingJobs must be an integer") from None
    if not 1 <= jobs <= MAX_JOBS:
        raise EngineError(f"maxNumberOfTrainingJobs must be between 1 and {MAX_JOBS}")
    objective = config.get("hpoObjective") or {}
    metric = objective.get("metricName") or DEFAULT_METRIC.get(
        spec.use_case, "normalized_discounted_cumulative_gain_at_25")
    sign = -1.0 if str(objective.get("type", "Maximize")).lower() == "minimize" else 1.0

    space = search_space(spec, config.get("algorithmHyperParameterRanges"))
    fixed = {**spec.defaults("algorithm"), **dict(options.hyperparameters)}
    trials_params = [dict(fixed)]
    if space:
        for cand in _candidates(space, jobs - 1, strategy, options.seed):
            params = {**fixed, **cand}
            if params not in trials_params:
                trials_params.append(params)
    excluded = {str(u) for u in exclude_users}
    candidates = None
    if excluded and data.interactions is not None and "USER_ID" in data.interactions.columns:
        users = data.interactions["USER_ID"].astype(str).unique().tolist()
        candidates = [u for u in users if u not in excluded] or None
    trials: list[tuple[dict[str, str], float]] = []
    for params in trials_params[:jobs]:
        trial_options = replace(options, hyperparameters=params)
        metrics = evaluate(build(spec), data, trial_options, use_case=spec.use_case,
                           split_seed=VALIDATION_SEED_OFFSET + options.seed,
                           candidate_users=candidates)
        if metric not in metrics:
            raise EngineError(
                f"HPO objective {metric} is not a metric of {spec.name}: "
                f"{', '.join(sorted(metrics))}"
            )
        trials.append((params, float(metrics[metric])))
    best_params, best_score = max(trials, key=lambda t: sign * t[1])
    return HPOResult(dict(best_params), best_score, metric, trials)
