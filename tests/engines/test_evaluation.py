import numpy as np
import pandas as pd
import pytest

from personalize_emulator.engines import registry
from personalize_emulator.engines.base import FitOptions
from personalize_emulator.engines.evaluation import (
    evaluate,
    item_metrics,
    personalize_split,
    ranking_metrics,
)
from personalize_emulator.engines.synthetic import planted


def test_guide_worked_example():
    m = ranking_metrics(["a", "x", "b", "c", "y"], {"x", "y"})
    assert m["mean_reciprocal_rank_at_25"] == pytest.approx(0.5)
    assert m["normalized_discounted_cumulative_gain_at_5"] == pytest.approx(0.6241, abs=1e-4)
    assert m["precision_at_5"] == pytest.approx(0.4)
    assert m["precision_at_25"] == pytest.approx(2 / 25)


def test_ideal_dcg_is_over_min_relevant_k():
    many = {f"r{i}" for i in range(30)}
    ranked = sorted(many)[:25]
    m = ranking_metrics(ranked, many)
    assert m["normalized_discounted_cumulative_gain_at_25"] == pytest.approx(1.0)
    assert ranking_metrics([], {"a"})["mean_reciprocal_rank_at_25"] == 0.0


def test_item_metrics_average_and_coverage():
    out = item_metrics({"u1": ["a", "b"], "u2": ["c"]}, {"u1": {"a"}, "u2": {"z"}}, 10)
    assert out["precision_at_5"] == pytest.approx((1 / 5 + 0) / 2)
    assert out["coverage"] == pytest.approx(0.3)


def _events():
    rows = []
    for u in range(50):
        for k in range(u % 7 + 1):
            rows.append((f"u{u}", f"i{k}", 1000 + k))
    return pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP"])


def test_split_follows_the_documented_protocol():
    frame = _events()
    split = personalize_split(frame, seed=3)
    assert len(split.test_users) == 5
    assert split.test_users == sorted(split.test_users)
    assert len(split.train) + len(split.test) == len(frame)
    for u in split.test_users:
        n = int((frame["USER_ID"] == u).sum())
        held = split.test[split.test["USER_ID"] == u]
        assert len(held) == max(1, int(np.floor(0.1 * n + 0.5)))
        # the held-out events are the user's latest
        kept = split.train[split.train["USER_ID"] == u]
        assert len(kept) == 0 or kept["TIMESTAMP"].max() <= held["TIMESTAMP"].min()
    assert not set(split.test["USER_ID"]) - set(split.test_users)
    again = personalize_split(frame, seed=3)
    assert again.test_users == split.test_users
    assert personalize_split(frame, seed=4).test_users != split.test_users


def test_evaluate_item_recipe_reports_the_documented_keys():
    world = planted(0)
    spec = registry.get_recipe("aws-popularity-count")
    metrics = evaluate(registry.build(spec), world.data, FitOptions(seed=0), use_case=spec.use_case)
    assert set(metrics) == {
        "precision_at_5", "precision_at_10", "precision_at_25",
        "normalized_discounted_cumulative_gain_at_5",
        "normalized_discounted_cumulative_gain_at_10",
        "normalized_discounted_cumulative_gain_at_25",
        "mean_reciprocal_rank_at_25", "coverage",
    }
    assert all(0.0 <= v <= 1.0 for v in metrics.values())


def test_related_items_beat_popularity_on_planted_chains():
    world = planted(0, n_users=300, n_trending=0, n_popular=1)
    results = {}
    for name in ("aws-sims", "aws-popularity-count"):
        spec = registry.get_recipe(name)
        results[name] = evaluate(registry.build(spec), world.data, FitOptions(seed=1),
                                 use_case=spec.use_case)
    assert (results["aws-sims"]["normalized_discounted_cumulative_gain_at_10"]
            > results["aws-popularity-count"]["normalized_discounted_cumulative_gain_at_10"])


def test_trending_evaluation():
    world = planted(0)
    spec = registry.get_recipe("aws-trending-now")
    options = FitOptions(seed=0, feature_transformation={"trend_discovery_frequency": "1 day"})
    # the last day is the test window, so train on the burst's first half only
    world.data.interactions = world.data.interactions  # full data; evaluate cuts the window
    metrics = evaluate(registry.build(spec), world.data, options, use_case=spec.use_case)
    assert set(metrics) == {"trend_prediction_accuracy", "coverage"}
    assert 0.0 <= metrics["trend_prediction_accuracy"] <= 1.0
