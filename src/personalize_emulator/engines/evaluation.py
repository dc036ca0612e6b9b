"""Offline metrics as GetSolutionMetrics reports them, on Personalize's documented split.

Item recipes (user personalization, popularity, ranking, related items): 10% of users, drawn
with the seed, are test users; the latest 10% of each test user's events (rounded, at least 1)
are held out, the rest of the data trains the model. Each test user gets one top-25 list
excluding the items they have in training (related-items recipes are queried with the user's
latest training item). Metrics, averaged over test users:

* ``precision_at_5/10/25`` -- hits in the top K / K;
* ``normalized_discounted_cumulative_gain_at_5/10/25`` -- binary gains, discount 1/log2(1+rank),
  ideal DCG over min(|held-out|, K);
* ``mean_reciprocal_rank_at_25`` -- 1/rank of the first hit, 0 if none;
* ``coverage`` -- distinct recommended items / distinct items in Interactions + Items.

The solution's ``eventType`` / ``eventValueThreshold`` / ``eventsConfig`` filter the
interactions before the split (:func:`evaluation_events`); test users are drawn from the users in
seeded order, integer ids by value (:func:`_ordered_users`), as
``shared/baselines/eval_baselines.py`` does.

Solutions with an events configuration or an optimization objective get one more metric each
(:func:`configured_metrics`); the guide names the keys and leaves ``k`` and the normalisation
open, chosen here:

* ``normalized_discounted_cumulative_gain_with_event_weights_at_k`` -- NDCG@25 whose gain for a
  held-out item is its event type's weight relative to the mean of the listed types (the guide's
  example: purchase 0.3 / click 0.1 reward a hit 1.5 / 0.5; an item held out under several types
  counts its highest); the ideal DCG ranks the user's held-out items by that gain;
* ``average_rewards_at_k`` -- per test user, the reward (the objective column's value, negative
  or missing values counting 0) of the held-out items found in the top 25, divided by the
  reward of the user's 25 most rewarding held-out items (the best a list of 25 could earn);
  averaged over users with something to earn (0.0 if none has), so it lies in [0, 1].

Keys the public sources leave unnamed (api-surface §10.2), chosen here:

* Trending-Now: ``trend_prediction_accuracy`` -- the last trend window is held out; the summed
  (positive) growth of the recommended 25 items over the previous window, divided by the
  growth of the 25 items that actually grew most. Plus ``coverage``.
* USER_SEGMENTATION: each user's latest 20% of events are held out. For each test item, the top
  1% of users (at least 1) are predicted; ``hits_at_1_percent`` is the mean number of actual
  users (those who interacted with the item in the held-out part) among them,
  ``recall_at_1_percent`` the mean share of actual users found. Plus ``coverage`` over users.
* PERSONALIZED_ACTIONS: the latest 10% of action interactions (by time) are held out. A user is
  recommended their top action; ``precision`` (takers among those recommended, averaged over
  actions), ``recall`` (recommended among takers, averaged over actions), ``auc`` (ROC AUC of
  the propensity for taken vs not-taken pairs), ``normalized_discounted_cumulative_gain_at_5``
  over each test user's taken actions, and ``coverage`` over actions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .base import EngineError, FitOptions, Model, Query, Recipe
from .dataset import TrainingData
from .serving import top_indices
from .training import EVENT_WEIGHT, item_attribute, prepare_interactions, restrict_event_types

KS = (5, 10, 25)
TOP_N = 25
EVENT_WEIGHTS_NDCG = "normalized_discounted_cumulative_gain_with_event_weights_at_k"
AVERAGE_REWARDS = "average_rewards_at_k"
_INTEGER = re.compile(r"[+-]?\d+")


# --------------------------------------------------------------------------- split


@dataclass
class Split:
    train: pd.DataFrame
    test: pd.DataFrame
    test_users: list[str]

    def truth(self) -> dict[str, set[str]]:
        return {u: set(g["ITEM_ID"]) for u, g in self.test.groupby("USER_ID", sort=True)}

    def training_data(self, data: TrainingData) -> TrainingData:
        return replace(data, interactions=self.train.reset_index(drop=True))


def personalize_split(
    frame: pd.DataFrame,
    seed: int,
    *,
    user_fraction: float = 0.1,
    holdout_fraction: float = 0.1,
    candidate_users: Sequence[str] | None = None,
) -> Split:
    """Personalize's split: seeded test users, each with their latest events held out.

    Events are ordered by TIMESTAMP with ties by row order. ``candidate_users`` restricts who may
    be drawn (HPO carves a validation split from training users only).
    """
    frame = frame.reset_index(drop=True)
    frame = frame.assign(_row=np.arange(len(frame))).sort_values(
        ["USER_ID", "TIMESTAMP", "_row"], kind="stable"
    )
    users = _ordered_users(
        frame["USER_ID"].to_numpy() if candidate_users is None else candidate_users
    )
    if len(users) == 0:
        raise EngineError("There are no users to evaluate on.")
    n_test = max(1, int(np.floor(user_fraction * len(users) + 0.5)))
    rng = np.random.default_rng(seed)
    test_users = np.sort(rng.choice(users, size=min(n_test, len(users)), replace=False))
    pos = frame.groupby("USER_ID", sort=False).cumcount().to_numpy()
    n = frame.groupby("USER_ID", sort=False)["ITEM_ID"].transform("size").to_numpy()
    n_hold = np.maximum(1, np.floor(holdout_fraction * n + 0.5).astype(int))
    hold = np.isin(frame["USER_ID"].to_numpy().astype(str), test_users) & (pos >= n - n_hold)
    train = frame[~hold].sort_values("_row").drop(columns="_row").reset_index(drop=True)
    test = frame[hold].sort_values("_row").drop(columns="_row").reset_index(drop=True)
    return Split(train, test, [str(u) for u in test_users])


def _ordered_users(ids) -> np.ndarray:
    """Distinct user ids in the order the seeded draw picks from.

    Integer ids (MovieLens' ``1..943``) are ordered by value, others as strings, so a seed
    selects the same test users as the reference split (``shared/baselines/eval_baselines.py``
    draws from numerically sorted user codes); string order would put ``"10"`` before ``"2"``
    and draw a different tenth of the users.
    """
    distinct = np.unique(np.asarray(ids).astype(str))
    if distinct.size and all(_INTEGER.fullmatch(u) for u in distinct.tolist()):
        order = sorted(range(distinct.size), key=lambda k: (int(distinct[k]), distinct[k]))
        distinct = distinct[order]
    return distinct


# --------------------------------------------------------------------------- item metrics


def ranking_metrics(ranked: Sequence[str], relevant: set[str], k_values=KS) -> dict[str, float]:
    """Metrics for one list; the guide's example (hits at 2 and 5) gives RR 0.5, NDCG@5 0.6241."""
    hits = np.asarray([1.0 if item in relevant else 0.0 for item in list(ranked)[:TOP_N]])
    hits = np.concatenate([hits, np.zeros(TOP_N - len(hits))])
    disc = 1.0 / np.log2(np.arange(2, TOP_N + 2))
    out: dict[str, float] = {}
    for k in k_values:
        out[f"precision_at_{k}"] = float(hits[:k].sum() / k)
        ideal = float(disc[: min(len(relevant), k)].sum())
        dcg = float((hits[:k] * disc[:k]).sum())
        out[f"normalized_discounted_cumulative_gain_at_{k}"] = dcg / ideal if ideal > 0 else 0.0
    first = np.flatnonzero(hits)
    out["mean_reciprocal_rank_at_25"] = float(1.0 / (first[0] + 1)) if len(first) else 0.0
    return out


def item_metrics(
    recommendations: Mapping[str, Sequence[str]],
    truth: Mapping[str, set[str]],
    catalogue_size: int,
) -> dict[str, float]:
    per_user = [ranking_metrics(recommendations.get(u, ()), rel) for u, rel in truth.items()]
    keys = [f"{m}_at_{k}" for m in ("precision", "normalized_discounted_cumulative_gain")
            for k in KS] + ["mean_reciprocal_rank_at_25"]
    out = {key: float(np.mean([m[key] for m in per_user])) if per_user else 0.0 for key in keys}
    shown = {i for lst in recommendations.values() for i in lst}
    out["coverage"] = len(shown) / catalogue_size if catalogue_size else 0.0
    return out


def weighted_ndcg(ranked: Sequence[str], gains: Mapping[str, float], k: int = TOP_N) -> float:
    """NDCG@k of one list whose gain for a hit is ``gains[item]`` (0 for other items)."""
    disc = 1.0 / np.log2(np.arange(2, k + 2))
    got = np.asarray([gains.get(item, 0.0) for item in list(ranked)[:k]], dtype=np.float64)
    best = np.sort(np.asarray(list(gains.values()), dtype=np.float64))[::-1][:k]
    ideal = float((best * disc[:len(best)]).sum())
    return float((got * disc[:len(got)]).sum()) / ideal if ideal > 0 else 0.0


def rewards_share(ranked: Sequence[str], relevant: set[str], rewards: Mapping[str, float],
                  k: int = TOP_N) -> float | None:
    """Reward of the relevant items in the top k over the most a list of k could earn; None
    when the user's relevant items carry no reward."""
    best = float(sum(sorted((max(rewards.get(i, 0.0), 0.0) for i in relevant),
                            reverse=True)[:k]))
    if best <= 0:
        return None
    got = sum(max(rewards.get(i, 0.0), 0.0) for i in set(list(ranked)[:k]) & relevant)
    return float(got) / best


def configured_metrics(recommendations: Mapping[str, Sequence[str]], split: Split,
                       data: TrainingData, options: FitOptions) -> dict[str, float]:
    """The eventsConfig / optimizationObjective metrics (none when neither is configured)."""
    out: dict[str, float] = {}
    if options.event_weights and EVENT_WEIGHT in split.test.columns:
        gains: dict[str, dict[str, float]] = {}
        best = split.test.groupby(["USER_ID", "ITEM_ID"], sort=True)[EVENT_WEIGHT].max()
        for (user, item), gain in best.items():
            gains.setdefault(str(user), {})[str(item)] = float(gain)
        scores = [weighted_ndcg(recommendations.get(u, ()), g) for u, g in gains.items()]
        out[EVENT_WEIGHTS_NDCG] = float(np.mean(scores)) if scores else 0.0
    if options.objective:
        values = item_attribute(data, options.objective[0]).fillna(0.0)
        rewards = {str(k): float(v) for k, v in values.items()}
        shares = [s for u, rel in split.truth().items()
                  if (s := rewards_share(recommendations.get(u, ()), rel, rewards)) is not None]
        out[AVERAGE_REWARDS] = float(np.mean(shares)) if shares else 0.0
    return out


def evaluation_events(recipe: Recipe, data: TrainingData, options: FitOptions) -> pd.DataFrame:
    """The interactions the metrics are computed on: those the model is trained on.

    The solution's ``eventType`` / ``eventValueThreshold`` (and a domain use case's event
    types) apply before the split, as the reference protocol filters ratings before drawing
    test users: otherwise test users would be drawn from, and judged on, events the model is
    never shown (a low rating held out as "relevant" under ``eventValueThreshold``). Events
    stay in time order with ties in file order.
    """
    scoped = getattr(recipe, "event_types", None)
    if scoped:
        data = restrict_event_types(data, scoped)
    return prepare_interactions(data, options)


def _catalogue_size(frame: pd.DataFrame, data: TrainingData) -> int:
    ids = set(frame["ITEM_ID"].astype(str))
    if data.items is not None and "ITEM_ID" in data.items.frame.columns:
        ids.update(data.items.frame["ITEM_ID"].astype(str))
    return len(ids)


def recommend_for_test_users(model: Model, split: Split, related: bool = False) -> dict:
    ids = list(model.item_ids)
    index = {item: k for k, item in enumerate(ids)}
    # each user's training items in time order (ties by row), so history[-1] is the latest
    ordered = split.train.sort_values("TIMESTAMP", kind="stable")
    train_items = {u: g["ITEM_ID"].tolist() for u, g in ordered.groupby("USER_ID", sort=False)}
    recs: dict[str, list[str]] = {}
    for user in split.test_users:
        history = train_items.get(user, [])
        if related:
            query = Query(user_id=user, item_id=history[-1] if history else None)
        else:
            query = Query(user_id=user)
        scores = np.asarray(model.score_items(query), dtype=np.float64)
        allowed = np.ones(len(ids), dtype=bool)
        seen = [index[i] for i in history if i in index]
        allowed[seen] = False
        recs[user] = [ids[k] for k in top_indices(scores, TOP_N, allowed)]
    return recs


# --------------------------------------------------------------------------- other recipe types


def trend_metrics(
    recipe: Recipe, data: TrainingData, options: FitOptions, window_seconds: float
) -> dict[str, float]:
    frame = evaluation_events(recipe, data, options)
    end = float(frame["TIMESTAMP"].max()) + 1.0
    cut = end - window_seconds
    train = frame[frame["TIMESTAMP"] < cut]
    if train["USER_ID"].nunique() < 2:
        raise EngineError("Too little data before the last trend window to evaluate trends.")
    model = recipe.fit(replace(data, interactions=train.reset_index(drop=True)), options)
    now_counts = frame[frame["TIMESTAMP"] >= cut]["ITEM_ID"].value_counts()
    before = frame[(frame["TIMESTAMP"] >= cut - window_seconds) & (frame["TIMESTAMP"] < cut)]
    growth = now_counts.sub(before["ITEM_ID"].value_counts(), fill_value=0).clip(lower=0)
    ids = list(model.item_ids)
    recommended = [ids[k] for k in top_indices(model.score_items(Query()), TOP_N)]
    best = float(growth.sort_values(ascending=False).head(TOP_N).sum())
    achieved = float(growth.reindex(recommended).fillna(0).sum())
    return {
        "trend_prediction_accuracy": achieved / best if best > 0 else 0.0,
        "coverage": len(set(recommended)) / max(_catalogue_size(frame, data), 1),
    }


def segmentation_metrics(recipe: Recipe, data: TrainingData, options: FitOptions) -> dict:
    frame = evaluation_events(recipe, data, options)
    frame = frame.assign(_row=np.arange(len(frame))).sort_values(
        ["USER_ID", "TIMESTAMP", "_row"], kind="stable"
    )
    pos = frame.groupby("USER_ID", sort=False).cumcount().to_numpy()
    n = frame.groupby("USER_ID", sort=False)["ITEM_ID"].transform("size").to_numpy()
    hold = pos >= n - np.floor(0.2 * n + 0.5).astype(int)
    train = frame[~hold].sort_values("_row").drop(columns="_row")
    test = frame[hold]
    model = recipe.fit(replace(data, interactions=train.reset_index(drop=True)), options)
    users = list(model.user_ids)
    k = max(1, int(np.ceil(0.01 * len(users))))
    known_items = set(model.item_ids) if len(model.item_ids) else set(train["ITEM_ID"])
    hits, recalls, shown = [], [], set()
    for item, group in test.groupby("ITEM_ID", sort=True):
        if item not in known_items:
            continue
        actual = set(group["USER_ID"])
        top = [users[j] for j in top_indices(model.score_users(Query(item_ids=[item])), k)]
        shown.update(top)
        found = len(actual.intersection(top))
        hits.append(found)
        recalls.append(found / len(actual))
    return {
        "hits_at_1_percent": float(np.mean(hits)) if hits else 0.0,
        "recall_at_1_percent": float(np.mean(recalls)) if recalls else 0.0,
        "coverage": len(shown) / len(users) if users else 0.0,
    }


def _roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    pos, neg = labels.sum(), (~labels).sum()
    if pos == 0 or neg == 0:
        return 0.5
    ranks = pd.Series(scores).rank(method="average").to_numpy()
    return float((ranks[labels].sum() - pos * (pos + 1) / 2) / (pos * neg))


def action_metrics(recipe: Recipe, data: TrainingData, options: FitOptions) -> dict:
    acts = data.action_interactions
    if acts is None or len(acts) == 0:
        raise EngineError("The Action_Interactions dataset is empty: nothing to evaluate.")
    acts = acts.assign(TIMESTAMP=pd.to_numeric(acts["TIMESTAMP"], errors="coerce"))
    acts = acts.sort_values("TIMESTAMP", kind="stable").reset_index(drop=True)
    cut = int(np.floor(0.9 * len(acts)))
    train, test = acts.iloc[:cut], acts.iloc[cut:]
    # item interactions from the held-out period would tell the model what came next
    training = replace(data, action_interactions=train.reset_index(drop=True))
    if len(test) and data.interactions is not None and "TIMESTAMP" in data.interactions.columns:
        start = float(test["TIMESTAMP"].iloc[0])
        ts = pd.to_numeric(data.interactions["TIMESTAMP"], errors="coerce")
        training = replace(training, interactions=data.interactions[(ts < start).to_numpy()]
                           .reset_index(drop=True))
    model = recipe.fit(training, options)
    ids = list(model.action_ids)
    index = {a: j for j, a in enumerate(ids)}
    taken = test["EVENT_TYPE"].astype(str).str.replace(r"[\s_]", "", regex=True).str.lower()
    test = test.assign(_taken=(taken == "taken").to_numpy())
    labels, preds, ndcgs = [], [], []
    recommended: dict[str, set[str]] = {a: set() for a in ids}
    takers: dict[str, set[str]] = {a: set() for a in ids}
    shown = set()
    for user, group in test.groupby("USER_ID", sort=True):
        scores = np.asarray(model.score_actions(Query(user_id=str(user))), dtype=np.float64)
        order = top_indices(scores, len(ids))
        if len(order):
            recommended[ids[order[0]]].add(user)
            shown.add(ids[order[0]])
        user_taken = set(group.loc[group["_taken"], "ACTION_ID"].astype(str))
        for a in user_taken:
            if a in takers:
                takers[a].add(user)
        if user_taken:
            ndcgs.append(ranking_metrics([ids[j] for j in order], user_taken, (5,))[
                "normalized_discounted_cumulative_gain_at_5"])
        for a, was_taken in group.groupby("ACTION_ID")["_taken"].any().items():
            if a in index:
                labels.append(bool(was_taken))
                preds.append(scores[index[a]])
    precision = [len(recommended[a] & takers[a]) / len(recommended[a]) for a in ids
                 if recommended[a]]
    recall = [len(recommended[a] & takers[a]) / len(takers[a]) for a in ids if takers[a]]
    return {
        "precision": float(np.mean(precision)) if precision else 0.0,
        "recall": float(np.mean(recall)) if recall else 0.0,
        "auc": _roc_auc(np.asarray(labels, dtype=bool), np.asarray(preds, dtype=float)),
        "normalized_discounted_cumulative_gain_at_5": float(np.mean(ndcgs)) if ndcgs else 0.0,
        "coverage": len(shown) / len(ids) if ids else 0.0,
    }


# --------------------------------------------------------------------------- entry point


def _trend_window(options: FitOptions) -> float:
    from .recipes.trending import parse_frequency

    text = (options.feature_transformation or {}).get("trend_discovery_frequency") or (
        options.hyperparameters or {}
    ).get("trend_discovery_frequency", "2 hours")
    return parse_frequency(text)


def evaluate(
    recipe: Recipe,
    data: TrainingData,
    options: FitOptions,
    *,
    use_case: str | None = None,
    split_seed: int | None = None,
    candidate_users: Sequence[str] | None = None,
) -> dict[str, float]:
    """Fit on the split appropriate to the recipe's use case and return GetSolutionMetrics.

    ``use_case`` is the registry's ``RecipeSpec.use_case`` (USER_PERSONALIZATION,
    POPULAR_ITEMS, RELATED_ITEMS, PERSONALIZED_RANKING, USER_SEGMENTATION,
    PERSONALIZED_ACTIONS); Trending-Now is recognised by its recipe class. ``split_seed``
    (default ``options.seed``) draws the item recipes' test users, from ``candidate_users``
    when given (HPO validates on users other than the solution's test users).
    """
    from .recipes.trending import TrendingNowRecipe

    inner = getattr(recipe, "inner", recipe)  # domain recipes wrap their engine
    if isinstance(inner, TrendingNowRecipe):
        return trend_metrics(recipe, data, options, _trend_window(options))
    if use_case == "USER_SEGMENTATION":
        return segmentation_metrics(recipe, data, options)
    if use_case == "PERSONALIZED_ACTIONS":
        return action_metrics(recipe, data, options)
    frame = evaluation_events(recipe, data, options)
    seed = options.seed if split_seed is None else split_seed
    if candidate_users is not None:
        present = set(frame["USER_ID"])
        candidate_users = [u for u in candidate_users if u in present]
    split = personalize_split(frame, seed, candidate_users=candidate_users)
    model = recipe.fit(split.training_data(data), options)
    recs = recommend_for_test_users(model, split, related=use_case == "RELATED_ITEMS")
    metrics = item_metrics(recs, split.truth(), _catalogue_size(frame, data))
    return {**metrics, **configured_metrics(recs, split, data, options)}
