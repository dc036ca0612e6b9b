"""aws-user-personalization-v2 / aws-personalized-ranking-v2 (transformer): the recipe contract
plus the sequence checks shared with the GRU recipes (same tiny planted world, one fit per class
for the contract; a second fit only where a switch is under test)."""

from __future__ import annotations

import numpy as np
import pytest
from contract import RecipeContract
from test_hrnn import SequenceChecks, successor_hits

from personalize_emulator.engines import registry
from personalize_emulator.engines.base import FitOptions, Query
from personalize_emulator.engines.recipes.sasrec import SASRecRecipe


class TestUserPersonalizationV2(SequenceChecks, RecipeContract):
    recipe = "aws-user-personalization-v2"
    ranking_recipe = "aws-personalized-ranking-v2"

    def test_recency_bias_is_a_switch(self, model, world):
        spec = registry.get_recipe(self.recipe)
        off = registry.build(spec).fit(world.data, FitOptions(
            seed=0, hyperparameters={"apply_recency_bias": "false"}))
        q = Query(user_id=world.cluster_users[0][0])
        assert not np.array_equal(off.score_items(q), model.score_items(q))
        assert successor_hits(off, world) >= 0.25

    @pytest.mark.slow
    def test_without_long_term_part_still_follows_chains(self, world):
        model = SASRecRecipe(long_term=False).fit(world.data, FitOptions(seed=1))
        assert model.blend == 0.0
        assert successor_hits(model, world) >= 0.25
