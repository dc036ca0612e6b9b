import pytest
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


def _brute_force_similarity(events, min_co, discount, window=50, decay=20.0):
    """sim(i, j) = (cooc + proximity) / (n_i n_j)^discount, straight from the definitions."""
    import math
    from collections import defaultdict

    histories = defaultdict(list)
    for user, item, _ts in sorted(events, key=lambda e: (e[0], e[2])):
        histories[user].append(item)
    users_of = defaultdict(set)
    for user, hist in histories.items():
        for item in hist:
            users_of[item].add(user)
    items = sorted(users_of)
    out = {}
    for a in items:
        for b in items:
            if a == b:
                continue
            cooc = len(users_of[a] & users_of[b])
            if cooc < max(min_co, 1):
                continue
            prox = 0.0
            for hist in histories.values():
                for p in range(len(hist)):
                    for q in range(p + 1, min(len(hist), p + window + 1)):
                        if {hist[p], hist[q]} == {a, b}:
                            prox += math.exp(-(q - p - 1) / decay)
            out[a, b] = (cooc + prox) / (len(users_of[a]) * len(users_of[b])) ** discount
    return out


def test_similarity_matches_its_definition_on_random_histories():
    import numpy as np
    import pandas as pd

    from personalize_emulator.engines.base import FitOptions
    from personalize_emulator.engines.recipes.sims import _fit_similarity
    from personalize_emulator.engines.vocab import Vocabulary

    rng = np.random.default_rng(7)
    # repeats, shared timestamps and histories longer than the proximity window included
    events = [(f"u{rng.integers(12)}", f"i{rng.integers(9)}", float(rng.integers(40)))
              for _ in range(400)]
    frame = pd.DataFrame(events, columns=["USER_ID", "ITEM_ID", "TIMESTAMP"])
    frame = frame.sort_values("TIMESTAMP", kind="stable").reset_index(drop=True)
    events = list(frame.itertuples(index=False, name=None))
    items = Vocabulary(frame["ITEM_ID"].unique())
    for min_co, discount in ((1, 0.5), (4, 0.0), (6, 1.0)):
        options = FitOptions(hyperparameters={
            "min_cointeraction_count": str(min_co), "popularity_discount_factor": str(discount)},
            feature_transformation={
                "min_user_history_length_percentile": "0", "max_user_history_length_percentile": "1",
                "min_item_interaction_count_percentile": "0",
                "max_item_interaction_count_percentile": "1"})
        matrix, _ = _fit_similarity(frame, items, options)
        dense = matrix.toarray()
        expected = _brute_force_similarity(events, min_co, discount)
        got = {(items.id(r), items.id(c)): dense[r, c] for r, c in zip(*np.nonzero(dense), strict=True)}
        assert set(got) == set(expected), min_co
        for pair, value in expected.items():
            assert got[pair] == pytest.approx(value, rel=1e-9), (min_co, pair)


@pytest.mark.parametrize("case", ["one item", "one timestamp", "duplicates"])
def test_degenerate_data_trains_and_serves(case):
    import pandas as pd

    from personalize_emulator.engines.base import FitOptions
    from personalize_emulator.engines.dataset import TrainingData
    from personalize_emulator.engines.recipes.sims import SimsRecipe

    if case == "one item":
        rows = [(f"u{k}", "only", float(k)) for k in range(5)]
    elif case == "one timestamp":
        rows = [(f"u{k}", f"i{j}", 0.0) for k in range(6) for j in range(4)]
    else:
        rows = [(f"u{k}", "a", 1.0) for k in range(4)] * 3 + [(f"u{k}", "b", 2.0) for k in range(4)]
    frame = pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP"])
    model = SimsRecipe().fit(TrainingData(frame), FitOptions())
    first = frame["ITEM_ID"].iloc[0]
    answer = [i for i, _ in serving.recommend(model, Query(item_id=first), 10)]
    assert first not in answer
    assert set(answer) == set(frame["ITEM_ID"]) - {first}
    if case == "duplicates":
        # a and b share all 4 users: a repeat does not count as a second co-interaction
        lo, hi = model.indptr[model.items.index("a")], model.indptr[model.items.index("a") + 1]
        assert list(model.neighbours[lo:hi]) == [model.items.index("b")]
