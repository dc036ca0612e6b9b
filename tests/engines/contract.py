"""The contract every recipe's tests inherit.

A recipe test module writes::

    from contract import RecipeContract

    class TestSims(RecipeContract):
        recipe = "aws-sims"

        def check_planted(self, model, world):
            ...  # assert the model found the planted structure

and gets, for free: the planted structure check, same seed -> same scores, save/load round
trip with identical scores, and clear ``EngineError``s for empty data, a single user, NaN event
values and unknown ids. Override :meth:`make_world` for other data (e.g. ``planted_actions``),
:meth:`queries` for what to score, and ``hyperparameters`` for faster settings. The world and
the fitted model are built once per test class.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

from personalize_emulator.engines import registry
from personalize_emulator.engines.artifacts import load_model, save_model
from personalize_emulator.engines.base import EngineError, FitOptions, Model, Query
from personalize_emulator.engines.dataset import TrainingData
from personalize_emulator.engines.synthetic import Planted, planted


class RecipeContract:
    #: registry name (or ARN) of the recipe under test
    recipe: ClassVar[str]
    hyperparameters: ClassVar[dict[str, str]] = {}
    feature_transformation: ClassVar[dict[str, str]] = {}
    seed: ClassVar[int] = 0

    # ------------------------------------------------------------------ hooks

    def make_world(self) -> Planted:
        return planted(seed=self.seed)

    def options(self, seed: int | None = None) -> FitOptions:
        return FitOptions(
            seed=self.seed if seed is None else seed,
            hyperparameters=dict(self.hyperparameters),
            feature_transformation=dict(self.feature_transformation),
        )

    def fit(self, data: TrainingData, seed: int | None = None) -> Model:
        spec = registry.get_recipe(self.recipe)
        assert spec is not None, f"{self.recipe} is not in the registry"
        return registry.build(spec).fit(data, self.options(seed))

    @property
    def use_case(self) -> str:
        return registry.get_recipe(self.recipe).use_case

    def queries(self, world: Planted) -> list[Query]:
        """Queries whose scores must be reproducible and survive save/load."""
        use_case = self.use_case
        first_user = world.cluster_users[0][0]
        first_item = world.cluster_items[0][0]
        if use_case == "RELATED_ITEMS":
            return [Query(item_id=first_item, user_id=first_user)]
        if use_case == "USER_SEGMENTATION":
            return [Query(item_ids=[first_item])]
        if use_case == "PERSONALIZED_RANKING":
            return [Query(user_id=first_user, item_ids=world.cluster_items[1][:5])]
        return [Query(user_id=first_user), Query(user_id=world.cluster_users[1][0])]

    def unknown_query(self) -> Query:
        use_case = self.use_case
        if use_case == "RELATED_ITEMS":
            return Query(item_id="no-such-item")
        if use_case == "USER_SEGMENTATION":
            return Query(item_ids=["no-such-item"])
        return Query(user_id="no-such-user")

    def scores(self, model: Model, query: Query) -> np.ndarray:
        use_case = self.use_case
        if use_case == "USER_SEGMENTATION":
            return np.asarray(model.score_users(query), dtype=float)
        if use_case == "PERSONALIZED_ACTIONS":
            return np.asarray(model.score_actions(query), dtype=float)
        return np.asarray(model.score_items(query), dtype=float)

    def check_planted(self, model: Model, world: Planted) -> None:
        pytest.fail(f"{type(self).__name__} must define check_planted(model, world)")

    # ------------------------------------------------------------------ fixtures

    @pytest.fixture(scope="class")
    def world(self) -> Planted:
        return self.make_world()

    @pytest.fixture(scope="class")
    def model(self, world: Planted) -> Model:
        return self.fit(world.data)

    # ------------------------------------------------------------------ the contract

    def test_finds_planted_structure(self, model: Model, world: Planted) -> None:
        self.check_planted(model, world)

    def test_scores_cover_the_catalogue(self, model: Model, world: Planted) -> None:
        for query in self.queries(world):
            s = self.scores(model, query)
            expected = {
                "USER_SEGMENTATION": model.user_ids,
                "PERSONALIZED_ACTIONS": model.action_ids,
            }.get(self.use_case, model.item_ids)
            assert s.shape == (len(expected),)
            assert np.all(np.isfinite(s))

    def test_same_seed_same_output(self, model: Model, world: Planted) -> None:
        again = self.fit(world.data)
        assert list(again.item_ids) == list(model.item_ids)
        for query in self.queries(world):
            np.testing.assert_array_equal(self.scores(again, query), self.scores(model, query))

    def test_save_load_round_trip(self, model: Model, world: Planted, tmp_path) -> None:
        save_model(model, tmp_path / "model")
        loaded = load_model(tmp_path / "model")
        assert type(loaded) is type(model)
        assert list(loaded.item_ids) == list(model.item_ids)
        assert list(loaded.user_ids) == list(model.user_ids)
        assert list(loaded.action_ids) == list(model.action_ids)
        for query in self.queries(world):
            np.testing.assert_array_equal(self.scores(loaded, query), self.scores(model, query))
        pickles = [p for p in (tmp_path / "model").rglob("*") if p.suffix in {".pkl", ".pickle"}]
        assert not pickles

    def test_unknown_ids_get_a_fallback_or_a_clear_error(self, model: Model) -> None:
        try:
            s = self.scores(model, self.unknown_query())
        except EngineError as exc:
            assert "no-such" in str(exc)
        else:
            assert np.all(np.isfinite(s))

    def test_empty_data_is_refused(self, world: Planted) -> None:
        empty = world.data.interactions.iloc[0:0]
        with pytest.raises(EngineError):
            self.fit(_with_interactions(world.data, empty))

    def test_a_single_user_is_refused(self, world: Planted) -> None:
        frame = world.data.interactions
        one = frame[frame["USER_ID"] == frame["USER_ID"].iloc[0]]
        with pytest.raises(EngineError):
            self.fit(_with_interactions(world.data, one))

    @pytest.mark.parametrize("bad", [float("inf"), float("-inf"), "lots"])
    def test_event_values_that_are_not_finite_numbers_are_refused(
        self, world: Planted, bad: Any
    ) -> None:
        # A missing value (None/NaN) is legal: the schema field is nullable. A value that is
        # there must be a finite number.
        frame = world.data.interactions.copy().astype({"EVENT_VALUE": object})
        frame.loc[frame.index[3], "EVENT_VALUE"] = bad
        with pytest.raises(EngineError, match="EVENT_VALUE"):
            self.fit(_with_interactions(world.data, frame))


def _with_interactions(data: TrainingData, frame: pd.DataFrame) -> TrainingData:
    fields: dict[str, Any] = dict(data.__dict__)
    fields["interactions"] = frame.reset_index(drop=True)
    return TrainingData(**fields)


def top(model: Model, scores: np.ndarray, n: int, ids=None) -> list[str]:
    """The n best ids by score (ties by id order), for assertions."""
    ids = list(model.item_ids if ids is None else ids)
    order = np.lexsort((np.arange(len(scores)), -np.asarray(scores)))
    return [ids[i] for i in order[:n]]
