"""Serving on top of any model: exclusion, masks, scores, exploration, ranking, actions."""

from pathlib import Path

import numpy as np
import pytest

from personalize_emulator.engines import serving
from personalize_emulator.engines.base import EngineError, Model, Query, SessionEvent


class FixedScores(Model):
    """A minimal Model with given scores, to exercise serving rules in isolation."""

    recipe_type = "USER_PERSONALIZATION"

    def __init__(self, scores, counts=None, ages=None, histories=None, returns_scores=True):
        self._scores = np.asarray(scores, dtype=float)
        self.item_ids = [f"i{k}" for k in range(len(scores))]
        self.user_ids = [f"u{k}" for k in range(len(scores))]
        self.action_ids = self.item_ids
        if counts is not None:
            self.item_counts = np.asarray(counts, dtype=float)
        if ages is not None:
            self.item_age_days = np.asarray(ages, dtype=float)
        self._histories = histories or {}
        self.returns_scores = returns_scores

    def score_items(self, query):
        return self._scores.copy()

    def score_users(self, query):
        return self._scores.copy()

    def score_actions(self, query):
        return self._scores.copy()

    def history(self, user_id):
        return self._histories.get(user_id, [])

    def save(self, directory: Path) -> None:  # not used here
        raise EngineError("not saved")

    @classmethod
    def load(cls, directory: Path):
        raise EngineError("not loaded")


def test_top_n_order_ties_and_softmax_scores():
    model = FixedScores([1.0, 3.0, 3.0, 2.0, 0.0])
    out = serving.recommend(model, Query(user_id="x"), 3)
    assert [i for i, _ in out] == ["i1", "i2", "i3"]
    full = serving.softmax(model._scores)
    assert full.sum() == pytest.approx(1.0)
    assert out[0][1] == pytest.approx(full[1])
    assert serving.recommend(model, Query(), 0) == []


def test_no_scores_for_recipes_without_them():
    model = FixedScores([1.0, 2.0], returns_scores=False)
    assert serving.recommend(model, Query(), 2) == [("i1", None), ("i0", None)]


def test_exclusions_and_masks():
    model = FixedScores([5, 4, 3, 2, 1], histories={"u": ["i0"]})
    q = Query(user_id="u", session_events=[SessionEvent("i1", 1.0)])
    assert [i for i, _ in serving.recommend(model, q, 2)] == ["i2", "i3"]
    assert [i for i, _ in serving.recommend(model, q, 2, exclude_seen=False)] == ["i0", "i1"]
    mask = np.array([True, True, False, True, True])
    assert [i for i, _ in serving.recommend(model, q, 2, mask=mask)] == ["i3", "i4"]
    assert [i for i, _ in serving.recommend(model, Query(item_id="i0"), 1)] == ["i1"]
    assert [i for i, _ in serving.recommend(model, Query(), 5, candidates=["i4", "i2"])] == [
        "i2", "i4"]
    with pytest.raises(EngineError, match="mask"):
        serving.recommend(model, Query(), 2, mask=np.ones(3, dtype=bool))


def test_exploration_mixes_in_cold_items_deterministically():
    n = 40
    scores = np.linspace(10, 1, n)
    counts = np.full(n, 100.0)
    counts[-4:] = 1  # four cold items with the lowest scores
    model = FixedScores(scores, counts=counts, ages=np.full(n, 3.0))
    plain = serving.recommend(model, Query(user_id="a"), 10)
    assert not {i for i, _ in plain} & {f"i{k}" for k in range(n - 4, n)}
    explored = serving.recommend(model, Query(user_id="a"), 10, exploration=(0.5, 30.0), seed=7)
    cold_shown = {i for i, _ in explored} & {f"i{k}" for k in range(n - 4, n)}
    assert cold_shown
    assert explored == serving.recommend(model, Query(user_id="a"), 10, exploration=(0.5, 30.0),
                                         seed=7)
    assert serving.recommend(model, Query(user_id="a"), 10, exploration=(0.0, 30.0)) == plain
    # items older than the cut-off are not explored
    old = FixedScores(scores, counts=counts, ages=np.full(n, 90.0))
    assert serving.recommend(old, Query(user_id="a"), 10, exploration=(0.9, 30.0)) == plain


def test_rank_puts_unknown_items_last_without_score():
    model = FixedScores([1.0, 3.0, 2.0])
    out = serving.rank(model, Query(user_id="u"), ["i0", "zz", "i1", "i2", "i1"])
    assert [i for i, _ in out] == ["i1", "i2", "i0", "zz"]
    assert out[-1][1] is None
    assert sum(s for _, s in out[:3]) == pytest.approx(1.0)


def test_segment_and_actions():
    model = FixedScores([0.2, 0.9, 0.5])
    assert [u for u, _ in serving.segment(model, Query(item_ids=["i0"]), 2)] == ["u1", "u2"]
    model.action_values = np.array([1.0, 1.0, 9.0])
    model.action_expiration = np.array([np.nan, 100.0, np.nan])
    model._scores = np.array([0.5, 0.9, 0.5])
    out = serving.recommend_actions(model, Query(user_id="u"), 5, now=200.0)
    assert [a for a, _ in out] == ["i2", "i0"]  # i1 expired; tie broken by VALUE
    assert [a for a, _ in serving.recommend_actions(model, Query(user_id="u"), 5, now=50.0)][0] == "i1"
