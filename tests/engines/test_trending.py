import pytest
from contract import RecipeContract, top

from personalize_emulator.engines.base import EngineError, FitOptions, Query
from personalize_emulator.engines.recipes.trending import TrendingNowRecipe, parse_frequency


class TestTrendingNow(RecipeContract):
    recipe = "aws-trending-now"
    feature_transformation = {"trend_discovery_frequency": "1 day"}

    def check_planted(self, model, world):
        scores = model.score_items(Query())
        assert set(top(model, scores, len(world.trending_items))) == set(world.trending_items)


class TestTrendingFallsBackToPopular(RecipeContract):
    recipe = "aws-trending-now"

    def make_world(self):
        from personalize_emulator.engines.synthetic import planted

        world = planted(self.seed, n_trending=0)
        frame = world.data.interactions
        # nothing at all in the last two trend windows (2 x 2 hours)
        keep = frame["TIMESTAMP"] < frame["TIMESTAMP"].max() - 5 * 3600
        world.data.interactions = frame[keep].reset_index(drop=True)
        return world

    def check_planted(self, model, world):
        assert set(top(model, model.score_items(Query()), 3)) == set(world.popular_items)


def test_frequencies():
    assert parse_frequency("30 minutes") == 1800
    assert parse_frequency("1 day") == 86400
    assert parse_frequency("2 hours") == 7200
    with pytest.raises(EngineError, match="trend_discovery_frequency"):
        parse_frequency("often")


def test_needs_a_thousand_interactions():
    from personalize_emulator.engines.synthetic import planted

    world = planted(0, n_users=20)
    with pytest.raises(EngineError, match="1000"):
        TrendingNowRecipe().fit(world.data, FitOptions())
