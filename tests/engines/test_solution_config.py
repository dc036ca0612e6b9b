"""solutionConfig.eventsConfig and optimizationObjective in the engines: event filtering and
weights (``training``), their effect on the transformer recipe, the two metrics they add
(``evaluation``) and the objective's pull at serving time (``seq_model``).

The fits use a tiny world and a capped epoch count; each compares two fits that differ only in
the setting under test (same seed), so the assertions are about the direction of the change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from contract import top
from test_hrnn import background, successor_hits

from personalize_emulator.engines.artifacts import load_model, save_model
from personalize_emulator.engines.base import EngineError, FitOptions, Query, SessionEvent
from personalize_emulator.engines.dataset import FieldKinds, Table, TrainingData
from personalize_emulator.engines.evaluation import (
    AVERAGE_REWARDS,
    EVENT_WEIGHTS_NDCG,
    Split,
    configured_metrics,
    rewards_share,
    weighted_ndcg,
)
from personalize_emulator.engines.recipes.sasrec import SASRecRecipe
from personalize_emulator.engines.synthetic import planted
from personalize_emulator.engines.training import (
    EVENT_WEIGHT,
    prepare_interactions,
    relative_event_weights,
)

EPOCHS = 25


# --- filtering and weights ----------------------------------------------------------------


def _typed_events() -> pd.DataFrame:
    rows = [("a", "i1", 1, "Buy", 5.0), ("a", "i2", 2, "buy", 1.0), ("a", "i3", 3, "buy", None),
            ("a", "i4", 4, "click", 0.0), ("b", "i5", 5, "view", 9.0), ("b", "i6", 6, "CLICK", None),
            ("b", "i7", 7, "buy", 3.0)]  # fmt: skip
    return pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE",
                                       "EVENT_VALUE"])  # fmt: skip


def test_events_config_keeps_listed_types_above_their_thresholds():
    options = FitOptions(event_weights={"buy": (3.0, 0.6), "click": (None, 0.2)})
    out = prepare_interactions(TrainingData(interactions=_typed_events()), options)
    # buy below 3 or without a value is dropped, clicks keep any value, views are not listed
    assert list(out["ITEM_ID"]) == ["i1", "i4", "i6", "i7"]
    # weights relative to the listed types' mean (0.4): buy 1.5, click 0.5
    assert list(out[EVENT_WEIGHT]) == pytest.approx([1.5, 0.5, 0.5, 1.5])


def test_relative_weights_follow_the_guide_example():
    # "purchase" 0.3 and "click" 0.1 reward a correct prediction 1.5 and 0.5
    weights = relative_event_weights({"Purchase": (None, 0.3), "click": (None, 0.1)})
    assert weights == pytest.approx({"purchase": 1.5, "click": 0.5})
    with pytest.raises(EngineError, match="weight above 0"):
        relative_event_weights({"click": (None, 0.0)})


def test_events_config_needs_an_event_type_column_and_matching_events():
    frame = _typed_events()
    with pytest.raises(EngineError, match="no EVENT_TYPE column"):
        prepare_interactions(TrainingData(interactions=frame.drop(columns="EVENT_TYPE")),
                             FitOptions(event_weights={"buy": (None, 1.0)}))  # fmt: skip
    with pytest.raises(EngineError, match="No interactions are left"):
        prepare_interactions(TrainingData(interactions=frame),
                             FitOptions(event_weights={"watch": (None, 1.0)}))  # fmt: skip


# --- the two metrics on hand-made cases ---------------------------------------------------


def test_weighted_ndcg_weights_each_hit_by_its_event_type():
    gains = {"bought": 1.5, "clicked": 0.5}
    # hits at ranks 1 (clicked) and 3 (bought); ideal: bought first, then clicked
    dcg = 0.5 / np.log2(2) + 1.5 / np.log2(4)
    ideal = 1.5 / np.log2(2) + 0.5 / np.log2(3)
    assert weighted_ndcg(["clicked", "x", "bought"], gains) == pytest.approx(dcg / ideal)
    assert weighted_ndcg(["bought", "clicked"], gains) == pytest.approx(1.0)
    assert weighted_ndcg(["x"], gains) == 0.0
    # equal weights give the plain NDCG
    assert weighted_ndcg(["x", "a"], {"a": 0.7}) == pytest.approx(1 / np.log2(3))


def test_average_rewards_share_of_what_a_list_could_earn():
    rewards = {"a": 10.0, "b": 5.0, "c": 0.0, "d": -3.0}
    # a found (10) out of the best possible a + b (15); c and d carry no reward
    assert rewards_share(["a", "x", "c", "d"], {"a", "b", "c", "d"}, rewards) == pytest.approx(
        10 / 15)
    assert rewards_share(["b", "a"], {"a", "b"}, rewards) == pytest.approx(1.0)
    assert rewards_share(["b", "a"], {"a", "b"}, rewards, k=1) == pytest.approx(5 / 10)
    assert rewards_share(["c"], {"c", "d"}, rewards) is None  # nothing to earn


def test_configured_metrics_average_over_test_users():
    test = pd.DataFrame({"USER_ID": ["u1", "u1", "u2", "u2", "u3"],
                         "ITEM_ID": ["a", "b", "c", "a", "z"],
                         "TIMESTAMP": [1, 2, 3, 4, 5],
                         EVENT_WEIGHT: [1.5, 0.5, 0.5, 0.5, 1.5]})  # fmt: skip
    split = Split(train=test.iloc[:0], test=test, test_users=["u1", "u2", "u3"])
    recs = {"u1": ["a", "b"], "u2": ["x", "c"], "u3": []}
    items = Table(pd.DataFrame({"ITEM_ID": ["a", "b", "c", "z"], "PRICE": [4.0, 1.0, 2.0, 0.0]}),
                  FieldKinds(numeric={"PRICE"}))  # fmt: skip
    data = TrainingData(interactions=test, items=items)
    out = configured_metrics(recs, split, data, FitOptions(
        event_weights={"buy": (None, 0.3), "click": (None, 0.1)}, objective=("PRICE", "LOW")))
    u2 = (0.5 / np.log2(3)) / (0.5 + 0.5 / np.log2(3))
    assert out[EVENT_WEIGHTS_NDCG] == pytest.approx((1.0 + u2 + 0.0) / 3)
    # u1 earns 5 of 5, u2 earns 2 of 6, u3 has nothing to earn and is left out
    assert out[AVERAGE_REWARDS] == pytest.approx((1.0 + 2 / 6) / 2)
    assert configured_metrics(recs, split, data, FitOptions()) == {}


# --- event weights move the transformer's recommendations ---------------------------------


def _two_type_world(seed: int = 0, n_users: int = 60, cluster: int = 20, each: int = 8):
    """Users of group g click items of one cluster and buy items of another (``each`` distinct
    items of each, in a random order of types), so what comes next is a click or a buy
    equally often and only the event type tells the two clusters apart."""
    rng = np.random.default_rng(seed)
    rows = []
    for n in range(n_users):
        u, g = f"u{n:03d}", n % 2
        picks = {kind: iter(rng.choice(cluster, size=each, replace=False))
                 for kind in ("click", "buy")}  # fmt: skip
        steps = ["click"] * each + ["buy"] * each
        rng.shuffle(steps)
        for t, kind in enumerate(steps):
            rows.append((u, f"{kind}{g}_{next(picks[kind])}", 1_600_000_000 + 60 * t, kind))
    frame = pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"])
    return TrainingData(interactions=frame)


def _buy_share(model, data: TrainingData, n: int = 5, users: int = 20) -> float:
    """Share of buy-chain items among each user's top-n unseen items."""
    shares = []
    for u in sorted(data.interactions["USER_ID"].unique())[:users]:
        seen = set(model.history(u))
        ranked = [i for i in top(model, model.score_items(Query(user_id=u)), len(model.item_ids))
                  if i not in seen][:n]  # fmt: skip
        shares.append(sum(i.startswith("buy") for i in ranked) / n)
    return float(np.mean(shares))


@pytest.fixture(scope="module")
def two_types() -> TrainingData:
    return _two_type_world()


def _fit(data: TrainingData, **options) -> object:
    return SASRecRecipe(max_epochs=EPOCHS).fit(data, FitOptions(seed=0, **options))


def test_heavier_event_type_is_recommended_more(two_types):
    equal = _fit(two_types, event_weights={"buy": (None, 1.0), "click": (None, 1.0)})
    buys = _fit(two_types, event_weights={"buy": (None, 1.0), "click": (None, 0.1)})
    assert _buy_share(buys, two_types) >= _buy_share(equal, two_types) + 0.2
    assert _buy_share(buys, two_types) >= 0.7


def test_unlisted_event_types_are_not_trained_on(two_types):
    model = _fit(two_types, event_weights={"buy": (None, 1.0)})
    assert not any(i.startswith("click") for i in model.item_ids)
    # at serving too: a session event of an unlisted type does not move the recommendations
    u, item = "u000", "buy0_3"
    alone = model.score_items(Query(user_id=u))
    clicked = model.score_items(Query(user_id=u, session_events=[_event(item, "click")]))
    bought = model.score_items(Query(user_id=u, session_events=[_event(item, "buy")]))
    assert np.array_equal(clicked, alone) and not np.array_equal(bought, alone)


def _event(item: str, kind: str = "click") -> SessionEvent:
    return SessionEvent(item_id=item, timestamp=1_700_000_000.0, event_type=kind)


# --- the optimization objective -----------------------------------------------------------


@pytest.fixture(scope="module")
def priced():
    world = planted(0, n_users=90, n_trending=0)
    frame = world.data.items.frame.copy()
    rng = np.random.default_rng(7)
    frame["PRICE"] = np.round(rng.lognormal(3.0, 1.0, size=len(frame)), 2)
    kinds = world.data.items.kinds
    world.data.items = Table(frame, FieldKinds(categorical=kinds.categorical,
                                               textual=kinds.textual,
                                               numeric=kinds.numeric | {"PRICE"}))  # fmt: skip
    return world


@pytest.fixture(scope="module")
def by_sensitivity(priced) -> dict[str, object]:
    """One fit per objectiveSensitivity (training is the same; serving differs)."""
    return {level: _fit(priced.data, objective=("PRICE", level))
            for level in ("OFF", "LOW", "HIGH")}  # fmt: skip


def _top_unseen(model, world, user: str, n: int = 10) -> list[str]:
    seen = set(model.history(user)) | background(world)
    scores = model.score_items(Query(user_id=user))
    return [i for i in top(model, scores, len(scores)) if i not in seen][:n]


def test_objective_favours_high_values_and_keeps_relevance(priced, by_sensitivity):
    price = priced.data.items.frame.set_index("ITEM_ID")["PRICE"]
    users = [u for members in priced.cluster_users for u in members[:4]]

    def mean_price(model) -> float:
        return float(np.mean([price[i] for u in users for i in _top_unseen(model, priced, u)]))

    off, low, high = (by_sensitivity[level] for level in ("OFF", "LOW", "HIGH"))
    assert off.objective is None  # OFF serves relevance only
    assert mean_price(off) < mean_price(low) < mean_price(high)
    assert mean_price(high) > 1.3 * mean_price(off)
    # relevance still leads: the chain's next item mostly stays in the top 3
    assert successor_hits(high, priced) >= 0.8 * successor_hits(off, priced) > 0.5


def test_objective_survives_save_load(priced, by_sensitivity, tmp_path):
    high = by_sensitivity["HIGH"]
    save_model(high, tmp_path / "model")
    again = load_model(tmp_path / "model")
    q = Query(user_id=priced.cluster_users[0][0])
    assert again.objective_weight == high.objective_weight > 0
    assert np.allclose(again.score_items(q), high.score_items(q))


def test_objective_column_must_exist(priced):
    with pytest.raises(EngineError, match="not a column of the Items dataset"):
        _fit(priced.data, objective=("VIDEO_LENGTH", "LOW"))
