from contract import RecipeContract, top

from personalize_emulator.engines import serving
from personalize_emulator.engines.base import Query


class TestSims(RecipeContract):
    recipe = "aws-sims"

    def check_planted(self, model, world):
        for chain in world.cluster_items:
            for item in chain[:3]:
                neighbours = [i for i, _ in serving.recommend(model, Query(item_id=item), 5)]
                assert set(neighbours) <= set(chain) - {item}, (item, neighbours)
                # the chain successor co-occurs most closely
                assert world.successor(item) in neighbours
        fallback = model.score_items(Query(item_id="never-seen"))
        assert set(top(model, fallback, 3)) == set(world.popular_items)
        assert not model.returns_scores


class TestPreviewSims(TestSims):
    recipe = "awspersonalizesimsmodel"


class TestCustomersWhoViewed(RecipeContract):
    recipe = "aws-ecomm-customers-who-viewed-x-also-viewed"
    hyperparameters = {"min_cointeraction_count": "1"}

    def make_world(self):
        from personalize_emulator.engines.synthetic import planted

        return planted(self.seed, event_types=("View", "View", "Purchase"))

    def check_planted(self, model, world):
        item = world.cluster_items[2][0]
        neighbours = [i for i, _ in serving.recommend(model, Query(item_id=item), 3)]
        assert set(neighbours) <= set(world.cluster_items[2])
