import pytest
from contract import RecipeContract

from personalize_emulator.engines import serving
from personalize_emulator.engines.base import EngineError, Query
from personalize_emulator.engines.recipes.segmentation import parse_attributes


class TestItemAffinity(RecipeContract):
    recipe = "aws-item-affinity"
    hyperparameters = {"hidden_dimension": "32"}

    def check_planted(self, model, world):
        for k, chain in enumerate(world.cluster_items):
            n = len(world.cluster_users[k])
            segment = [u for u, _ in serving.segment(model, Query(item_ids=[chain[0]]), n // 2)]
            assert set(segment) <= set(world.cluster_users[k]), k
        with pytest.raises(EngineError, match="did not exist"):
            model.score_users(Query(item_ids=["no-such-item"]))


class TestItemAttributeAffinity(TestItemAffinity):
    recipe = "aws-item-attribute-affinity"

    def check_planted(self, model, world):
        super().check_planted(model, world)
        for k, genre in enumerate(world.genres):
            q = Query(item_attributes=f'ITEMS.GENRE = "{genre.upper()}"')
            n = len(world.cluster_users[k])
            segment = [u for u, _ in serving.segment(model, q, n // 2)]
            assert set(segment) <= set(world.cluster_users[k])
        with pytest.raises(EngineError, match="No items match"):
            model.score_users(Query(item_attributes='ITEMS.GENRE = "g0" AND ITEMS.GENRE = "g1"'))
        with pytest.raises(EngineError, match="DESCRIPTION"):
            model.score_users(Query(item_attributes='ITEMS.DESCRIPTION = "space"'))


def test_attribute_grammar():
    assert parse_attributes('ITEMS.genres = "Comedy" AND ITEMS.genres = "Action"') == [
        ("GENRES", "comedy"), ("GENRES", "action")]
    for bad in ('ITEMS.genres IN ("a")', 'ITEMS.genres = "a" OR ITEMS.genres = "b"', ""):
        with pytest.raises(EngineError, match="itemAttributes"):
            parse_attributes(bad)
