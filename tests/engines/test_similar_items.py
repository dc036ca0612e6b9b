import pytest
from contract import RecipeContract, _with_interactions, top

from personalize_emulator.engines import serving
from personalize_emulator.engines.base import EngineError, Query
from personalize_emulator.engines.dataset import Table


class TestSimilarItems(RecipeContract):
    recipe = "aws-similar-items"
    hyperparameters = {"item_id_hidden_dim": "30", "item_metadata_hidden_dim": "30"}

    def check_planted(self, model, world):
        for k, chain in enumerate(world.cluster_items):
            item = chain[0]
            neighbours = [i for i, _ in serving.recommend(model, Query(item_id=item), 5)]
            assert set(neighbours) <= set(chain) | {world.cold_items[k]}, (item, neighbours)
            # a metadata-only item has neighbours from its own cluster
            cold = [i for i, _ in serving.recommend(model, Query(item_id=world.cold_items[k]), 5)]
            assert set(cold) <= set(chain), (world.cold_items[k], cold)
        assert world.cold_items[0] in model.item_ids
        fallback = model.score_items(Query(item_id="never-seen"))
        assert set(top(model, fallback, 3)) == set(world.popular_items)


class TestMoreLikeX(TestSimilarItems):
    recipe = "aws-vod-more-like-x"


class TestSemanticSimilarity(RecipeContract):
    recipe = "aws-semantic-similarity"

    def check_planted(self, model, world):
        for k, chain in enumerate(world.cluster_items):
            neighbours = [i for i, _ in serving.recommend(model, Query(item_id=chain[0]), 5)]
            assert set(neighbours) <= set(chain) | {world.cold_items[k]}, neighbours
        assert set(top(model, model.score_items(Query(item_id="nope")), 3)) == set(
            world.popular_items)

    def test_empty_data_is_refused(self, world):
        frame = world.data.interactions
        empty = _with_interactions(world.data, frame.iloc[0:0])
        empty.items = Table(world.data.items.frame.iloc[0:0], world.data.items.kinds)
        with pytest.raises(EngineError, match="Items"):
            self.fit(empty)

    def test_a_single_user_is_refused(self, world):
        # text similarity needs no users: a single user is fine, but items without text are not
        no_text = _with_interactions(world.data, world.data.interactions)
        no_text.items = Table(world.data.items.frame[["ITEM_ID", "GENRE"]],
                              world.data.items.kinds)
        with pytest.raises(EngineError, match="textual"):
            self.fit(no_text)


def test_semantic_ranking_influence_moves_popular_and_fresh_items_up():
    from personalize_emulator.engines import registry
    from personalize_emulator.engines.base import FitOptions
    from personalize_emulator.engines.synthetic import planted

    world = planted(0)
    model = registry.build(registry.get_recipe("aws-semantic-similarity")).fit(
        world.data, FitOptions())
    q = Query(item_id=world.cluster_items[0][0])
    plain = [i for i, _ in serving.recommend(model, q, 5)]
    popular = [i for i, _ in serving.recommend(model, q, 5,
                                               ranking_influence={"POPULARITY": 1.0})]
    fresh = [i for i, _ in serving.recommend(model, q, 5, ranking_influence={"FRESHNESS": 1.0})]
    assert world.cold_items[0] in fresh  # the newest item of the cluster
    assert popular != plain or fresh != plain
