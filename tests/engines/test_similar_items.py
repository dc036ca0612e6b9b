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


def test_randomized_svd_recovers_known_singular_values_and_vectors():
    import numpy as np
    import scipy.sparse as sp

    from personalize_emulator.engines.recipes.similar_items import randomized_svd

    rng = np.random.default_rng(3)
    left, _ = np.linalg.qr(rng.standard_normal((300, 5)))
    right, _ = np.linalg.qr(rng.standard_normal((120, 5)))
    values = np.array([9.0, 5.0, 3.0, 2.0, 1.0])
    a = sp.csr_matrix(left @ np.diag(values) @ right.T)
    u, s = randomized_svd(a, 3, seed=0)
    assert s == pytest.approx(values[:3], rel=1e-9)
    assert np.abs(u.T @ u - np.eye(3)).max() < 1e-9
    assert np.abs(np.abs((u * left[:, :3]).sum(axis=0)) - 1).max() < 1e-9
    # rank-deficient input (rank 1, width 4): exact leading value, the rest are zero
    u, s = randomized_svd(sp.csr_matrix(np.ones((6, 4))), 2, seed=0)
    assert s == pytest.approx([np.sqrt(24.0), 0.0], abs=1e-9)
    assert np.abs(u[:, 0]) == pytest.approx(np.full(6, 1 / np.sqrt(6)))
