import numpy as np
from contract import RecipeContract, top

from personalize_emulator.engines.base import Query


class TestPopularityCount(RecipeContract):
    recipe = "aws-popularity-count"

    def check_planted(self, model, world):
        scores = model.score_items(Query(user_id=world.cluster_users[0][0]))
        assert set(top(model, scores, len(world.popular_items))) == set(world.popular_items)
        # the same for everyone, including unknown users
        np.testing.assert_array_equal(scores, model.score_items(Query(user_id="stranger")))
        assert not model.returns_scores


class TestPreviewPopularityBaseline(TestPopularityCount):
    recipe = "popularity-baseline"


class TestMostViewed(RecipeContract):
    recipe = "aws-ecomm-popular-items-by-views"

    def make_world(self):
        from personalize_emulator.engines.synthetic import planted

        return planted(self.seed, event_types=("View", "Purchase"))

    def check_planted(self, model, world):
        frame = world.data.interactions
        views = frame[frame["EVENT_TYPE"] == "View"]["ITEM_ID"].value_counts()
        scores = model.score_items(Query(user_id="anyone"))
        counted = dict(zip(model.item_ids, scores, strict=True))
        assert all(counted[i] == n for i, n in views.items())
