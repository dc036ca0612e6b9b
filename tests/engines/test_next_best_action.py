import numpy as np
import pytest
from contract import RecipeContract

from personalize_emulator.engines import serving
from personalize_emulator.engines.base import EngineError, FitOptions, Query
from personalize_emulator.engines.recipes.next_best_action import NextBestActionRecipe
from personalize_emulator.engines.synthetic import planted_actions


class TestNextBestAction(RecipeContract):
    recipe = "aws-next-best-action"
    feature_transformation = {"action_optimization_period": "28"}

    def make_world(self):
        return planted_actions(self.seed)

    def check_planted(self, model, world):
        right = 0
        for k, users in enumerate(world.cluster_users):
            for user in users:
                out = serving.recommend_actions(model, Query(user_id=user), 5, now=world.end_time)
                assert world.expired_actions[0] not in [a for a, _ in out]
                right += out[0][0] == world.actions[k]
        assert right >= 0.9 * len(world.user_cluster)
        scores = model.score_actions(Query(user_id="stranger"))
        assert np.all((scores >= 0) & (scores <= 1))


def test_actions_without_enough_events_score_zero_and_order_by_value():
    world = planted_actions(0, n_users=40)
    model = NextBestActionRecipe().fit(world.data, FitOptions())
    assert not model.score_actions(Query(user_id=world.cluster_users[0][0])).any()
    out = serving.recommend_actions(model, Query(user_id="x"), 5, now=world.end_time)
    assert [a for a, _ in out] == ["act3", "act2", "act1", "act0"]


def test_needs_actions():
    world = planted_actions(0, n_users=40)
    world.data.actions = None
    with pytest.raises(EngineError, match="Actions"):
        NextBestActionRecipe().fit(world.data, FitOptions())
