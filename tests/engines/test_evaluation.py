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


def test_integer_user_ids_are_drawn_in_numeric_order():
    # 20 users "1".."20": the seeded draw picks positions in numeric order, as the reference
    # split (eval_baselines.py) does over numerically sorted user codes
    frame = pd.DataFrame({"USER_ID": [str(u) for u in range(1, 21) for _ in range(3)],
                          "ITEM_ID": [f"i{k}" for _ in range(1, 21) for k in range(3)],
                          "TIMESTAMP": [k for _ in range(1, 21) for k in range(3)]})
    for seed in range(5):
        expected = np.random.default_rng(seed).choice(np.arange(1, 21), 2, replace=False)
        assert personalize_split(frame, seed).test_users == sorted(str(u) for u in expected)


def test_related_items_are_queried_with_the_latest_training_item():
    from personalize_emulator.engines.base import Model
    from personalize_emulator.engines.evaluation import Split, recommend_for_test_users

    class Recorder(Model):
        recipe_type = "RELATED_ITEMS"
        item_ids = ["a", "b", "c", "d"]
        asked: list = []

        def score_items(self, query):
            self.asked.append(query.item_id)
            return np.zeros(4)

        def save(self, directory):
            pass

        @classmethod
        def load(cls, directory):
            return cls()

    # rows are not in time order: "b" (t=30) is the latest training item, "a" only the last row
    train = pd.DataFrame({"USER_ID": ["u", "u", "u"], "ITEM_ID": ["c", "b", "a"],
                          "TIMESTAMP": [10.0, 30.0, 20.0]})
    test = pd.DataFrame({"USER_ID": ["u"], "ITEM_ID": ["d"], "TIMESTAMP": [40.0]})
    model = Recorder()
    recs = recommend_for_test_users(model, Split(train, test, ["u"]), related=True)
    assert model.asked == ["b"]
    assert recs == {"u": ["d"]}  # training items excluded


def _rated_events():
    # 20 users rate h0..h9 with 5 (t = 1..10), then "low" with 1 at t = 100
    rows = []
    for u in range(20):
        rows += [(f"u{u}", f"h{k}", float(k + 1), 5.0) for k in range(10)]
        rows.append((f"u{u}", "low", 100.0, 1.0))
    return pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_VALUE"])


def test_event_value_threshold_applies_before_the_split():
    from personalize_emulator.engines.dataset import TrainingData

    spec = registry.get_recipe("aws-popularity-count")
    options = FitOptions(seed=0, event_value_threshold=4.0)
    metrics = evaluate(registry.build(spec), TrainingData(_rated_events()), options,
                       use_case=spec.use_case)
    # each test user keeps 10 events, holds out h9, and has h0..h8 excluded: h9 comes first
    assert metrics["mean_reciprocal_rank_at_25"] == pytest.approx(1.0)
    assert metrics["normalized_discounted_cumulative_gain_at_10"] == pytest.approx(1.0)
    assert metrics["precision_at_5"] == pytest.approx(0.2)
    assert metrics["coverage"] == pytest.approx(1 / 10)  # catalogue after the threshold


def _ml100k():
    from pathlib import Path

    path = Path("/work/shared/datasets/ml-100k/u.data")
    baselines = Path("/work/shared/baselines/eval_baselines.py")
    if not path.exists() or not baselines.exists():
        pytest.skip("ml-100k or the reference evaluation is not available")
    import importlib.util

    spec = importlib.util.spec_from_file_location("eval_baselines", baselines)
    eb = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(eb)
    raw = pd.read_csv(path, sep="\t", names=["USER_ID", "ITEM_ID", "EVENT_VALUE", "TIMESTAMP"],
                      dtype={"USER_ID": str, "ITEM_ID": str})
    return eb, raw


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_split_and_metrics_match_the_reference_evaluation_on_ml100k(seed):
    eb, raw = _ml100k()
    df = eb.load_dataset("ml100k-all")
    train, test, _ = eb.personalize_split(df, np.random.default_rng(seed))
    user_of = dict(zip(df.u, df.user.astype(str), strict=True))
    item_of = dict(zip(df.i, df.item.astype(str), strict=True))
    ref_truth = {user_of[u]: {item_of[i] for i in items} for u, items in eb.truth_of(test).items()}

    split = personalize_split(raw, seed)
    assert split.truth() == ref_truth
    assert len(split.train) == len(train)

    model = eb.Popularity(seed)
    csr = eb.to_csr(train, int(df.u.max()) + 1, int(df.i.max()) + 1)
    model.fit(csr, train)
    users = sorted(eb.truth_of(test))
    recs = dict(zip(users, model.recommend(users, csr), strict=True))
    ref = eb.evaluate(recs, eb.truth_of(test), df.i.nunique())
    ours = item_metrics({user_of[u]: [item_of[i] for i in r] for u, r in recs.items()},
                        split.truth(), raw["ITEM_ID"].nunique())
    for k in (5, 10, 25):
        assert ours[f"precision_at_{k}"] == pytest.approx(ref[f"precision@{k}"], abs=1e-12)
        assert ours[f"normalized_discounted_cumulative_gain_at_{k}"] == pytest.approx(
            ref[f"ndcg@{k}"], abs=1e-12)
    assert ours["mean_reciprocal_rank_at_25"] == pytest.approx(ref["mrr@25"], abs=1e-12)
    assert ours["coverage"] == pytest.approx(ref["coverage"], abs=1e-12)


def test_action_metrics_train_on_nothing_from_the_held_out_period():
    from personalize_emulator.engines.base import Model, Recipe
    from personalize_emulator.engines.dataset import TrainingData
    from personalize_emulator.engines.evaluation import action_metrics

    seen = {}

    class Constant(Model):
        recipe_type = "PERSONALIZED_ACTIONS"
        action_ids = ["a", "b"]

        def score_actions(self, query):
            return np.array([0.9, 0.1])

        def save(self, directory):
            pass

        @classmethod
        def load(cls, directory):
            return cls()

    class Recording(Recipe):
        def fit(self, data, options):
            seen["items"] = float(data.interactions["TIMESTAMP"].max())
            seen["actions"] = float(data.action_interactions["TIMESTAMP"].max())
            return Constant()

    items = pd.DataFrame({"USER_ID": [f"u{k % 4}" for k in range(20)],
                          "ITEM_ID": [f"i{k % 3}" for k in range(20)],
                          "TIMESTAMP": np.arange(20, dtype=float) * 10})
    acts = pd.DataFrame({"USER_ID": [f"u{k % 4}" for k in range(20)],
                         "ACTION_ID": ["a" if k % 2 else "b" for k in range(20)],
                         "EVENT_TYPE": ["TAKEN"] * 20,
                         "TIMESTAMP": np.arange(20, dtype=float) * 10 + 5})
    metrics = action_metrics(Recording(), TrainingData(items, action_interactions=acts),
                             FitOptions())
    # the last 2 of 20 action events (t = 185, 195) are held out: nothing at or after 185 trains
    assert seen == {"items": 180.0, "actions": 175.0}
    # held out: u2 took b (t = 185), u3 took a (t = 195); both are recommended a, so a's
    # precision is 1/2 and recall 1/1, b's recall 0/1
    assert metrics["precision"] == pytest.approx(0.5)
    assert metrics["recall"] == pytest.approx(0.5)
