"""DeepFM and FFNN, the preview recipes dropped before GA, as real engines."""

import pytest
from contract import RecipeContract

from personalize_emulator.engines import serving
from personalize_emulator.engines.base import Query

pytestmark = pytest.mark.slow  # torch training: tens of seconds per class


def _own_cluster_share(model, world, n=2):
    hits = total = 0
    for k, users in enumerate(world.cluster_users):
        own = set(world.cluster_items[k]) | {world.cold_items[k]}
        for user in users:
            recs = [i for i, _ in serving.recommend(model, Query(user_id=user), n)]
            hits += len(own & set(recs))
            total += len(recs)
    return hits / total


class TestDeepFM(RecipeContract):
    recipe = "awspersonalizedeepfmmodel"
    hyperparameters = {"epochs": "15"}

    def check_planted(self, model, world):
        assert _own_cluster_share(model, world) >= 0.6
        # users the model never saw still get an answer: the popular items first
        unknown = [i for i, _ in serving.recommend(model, Query(user_id="stranger"), 3)]
        assert set(unknown) & set(world.popular_items)


class TestFFNN(TestDeepFM):
    recipe = "awspersonalizeffnnmodel"
    hyperparameters = {"epochs": "15"}
