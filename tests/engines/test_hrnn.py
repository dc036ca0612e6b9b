"""HRNN / aws-user-personalization: the recipe contract plus sequence-specific behaviour.

Kept cheap for the default run: every class trains on the same tiny planted world (120 users,
~1,300 events) with a small GRU, the contract fits its model once per class, and models that
several classes need (the ranking variant) are fitted once per module.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from contract import RecipeContract, top

from personalize_emulator.engines import registry
from personalize_emulator.engines.base import (
    EngineError,
    FitOptions,
    Query,
    SessionEvent,
    TrainingStopped,
)

FAST = {"hidden_dimension": "32", "bptt": "8"}
_FITTED: dict[str, object] = {}


def fitted_once(recipe: str, world, options: FitOptions):
    """One fit per recipe name per module (the world is the same seeded one everywhere)."""
    if recipe not in _FITTED:
        _FITTED[recipe] = registry.build(registry.get_recipe(recipe)).fit(world.data, options)
    return _FITTED[recipe]


def successor_hits(model, world, n_users: int = 24, k: int = 3) -> float:
    """Share of users with the successor of their last chain item in their top-k unseen items.

    (Popular items are interleaved with the walks, so one of them may rightly come first.)
    """
    hits = total = 0
    frame = world.data.interactions.sort_values("TIMESTAMP", kind="stable")
    for k, users in enumerate(world.cluster_users):
        for u in users[: max(1, n_users // len(world.cluster_users))]:
            mine = frame[frame["USER_ID"] == u]
            chain_items = [i for i in mine["ITEM_ID"] if world.item_cluster.get(i) == k]
            want = world.successor(chain_items[-1])
            if want in set(mine["ITEM_ID"]):
                continue  # the walk wrapped round the whole chain
            s = np.array(model.score_items(Query(user_id=u)), dtype=float)
            seen = set(model.history(u)) | background(world)
            ranked = [i for i in top(model, s, len(s)) if i not in seen]
            hits += want in ranked[:k]
            total += 1
    return hits / max(total, 1)


def background(world) -> set[str]:
    """Popular and trending items: most users touch them at random times, whatever their cluster."""
    return set(world.popular_items) | set(world.trending_items)


def cluster_share(model, scores, world, cluster: int, n: int = 5, exclude=()) -> float:
    """Share of the top-n unseen non-background items in ``cluster`` (its new item included)."""
    members = set(world.cluster_items[cluster]) | {world.cold_items[cluster]}
    skip = set(exclude) | background(world)
    ranked = [i for i in top(model, scores, len(scores)) if i not in skip][:n]
    return sum(i in members for i in ranked) / n


class SequenceChecks:
    """Planted checks shared by the GRU and transformer recipes.

    Thresholds are set well above chance but below perfection: the world is tiny (120 users,
    a few seconds of training) and popular items are interleaved with the walks. By chance the
    successor is in a top-3 about 4% of the time and a top unseen item is in the user's cluster
    about 5% of the time.
    """

    def check_planted(self, model, world):
        # chains: the next item after k is k+1 of the same chain
        assert successor_hits(model, world) >= 0.25
        # cluster affinity: a user's best unseen items come from their own cluster (a walk
        # leaves only two of its chain's ten items unseen)
        shares = []
        for k in range(len(world.cluster_items)):
            for u in world.cluster_users[k][:4]:
                s = np.asarray(model.score_items(Query(user_id=u)))
                shares.append(cluster_share(model, s, world, k, n=2, exclude=model.history(u)))
        assert np.mean(shares) >= 0.35
        # scores are a probability distribution over the catalogue
        assert s.min() >= 0 and s.sum() == pytest.approx(1.0)

    def test_session_events_move_recommendations(self, model, world):
        u = world.cluster_users[0][0]
        before = np.asarray(model.score_items(Query(user_id=u)))
        other = world.cluster_items[3]
        events = [SessionEvent(item_id=i, timestamp=world.end_time + n)
                  for n, i in enumerate(other[:4])]
        after = np.asarray(model.score_items(Query(user_id=u, session_events=events)))
        seen = list(model.history(u)) + other[:4]
        assert cluster_share(model, after, world, 3, exclude=seen) > cluster_share(
            model, before, world, 3, exclude=seen)
        # real time, no retraining: the next chain item after the session is near the top
        ranked = [i for i in top(model, after, len(after)) if i not in set(seen) | background(world)]
        assert world.successor(other[3]) in ranked[:5]

    def test_anonymous_session_and_unknown_user(self, model, world):
        chain = world.cluster_items[2]
        events = [SessionEvent(item_id=i, timestamp=world.end_time + n)
                  for n, i in enumerate(chain[:3])]
        s = np.asarray(model.score_items(Query(user_id="anon-session", session_events=events)))
        assert cluster_share(model, s, world, 2, exclude=chain[:3]) >= 0.4
        cold = np.asarray(model.score_items(Query(user_id="nobody")))
        # no history, no events: popularity -- the planted popular items lead
        assert set(top(model, cold, 3)) == set(world.popular_items)

    # events without a value are legal: the contract's "NaN is refused" check does not apply
    test_nan_event_values_are_refused = None

    def test_present_event_values_must_be_numbers(self, world):
        frame = world.data.interactions.copy()
        frame["EVENT_VALUE"] = frame["EVENT_VALUE"].astype(object)
        frame.loc[frame.index[3], "EVENT_VALUE"] = "lots"
        data = type(world.data)(**{**world.data.__dict__, "interactions": frame})
        with pytest.raises(EngineError, match="row 3 has an invalid EVENT_VALUE 'lots'"):
            self.fit(data)

    def test_ranking_option_scores_the_input_list(self, world):
        model = fitted_once(self.ranking_recipe, world, self.options())
        u = world.cluster_users[1][0]
        mine = world.cluster_items[1]
        others = world.cluster_items[4][:3]
        s = np.asarray(model.score_items(Query(user_id=u, item_ids=others + mine[:3])))
        listed = [model.item_ids.index(i) for i in others + mine[:3]]
        assert s[listed].sum() == pytest.approx(1.0)
        assert np.delete(s, listed).sum() == 0
        best = model.item_ids[int(np.argmax(s))]
        assert best in mine
        assert model.recipe_type == "PERSONALIZED_RANKING"


class TestUserPersonalization(SequenceChecks, RecipeContract):
    recipe = "aws-user-personalization"
    ranking_recipe = "aws-personalized-ranking"
    hyperparameters = FAST

    def test_cold_items_are_scored_from_metadata(self, model, world):
        u = world.cluster_users[1][0]
        s = np.asarray(model.score_items(Query(user_id=u)))
        assert all(c in model.item_ids for c in world.cold_items)
        cold = {c: s[model.item_ids.index(c)] for c in world.cold_items}
        # the user's own cluster's new item ranks above the other clusters' new items
        assert max(cold, key=cold.get) == world.cold_items[1]

    def test_session_events_continue_the_cached_gru_state(self, model, world):
        """A known user's session events continue their cached end-of-training GRU state (a few
        steps) instead of re-reading the window from zero: it closely matches the exact path."""
        import torch

        from personalize_emulator.engines.recipes.seq_train import last_hidden

        assert model._gru_state is not None
        users = np.arange(len(model.user_ids))
        with torch.no_grad():
            exact = last_hidden(model.net, [model.sequences[u] for u in users], users,
                                model.spec.window, model._device)
        # the cached per-user output vectors are the ones the exact path computes
        np.testing.assert_allclose(model._hidden.numpy(), exact.numpy(), atol=1e-5)
        window = model.spec.window
        overlap = []
        for k, users_k in enumerate(world.cluster_users):
            other = world.cluster_items[(k + 1) % len(world.cluster_items)]
            for u in users_k[:6]:
                events = [SessionEvent(item_id=i, timestamp=world.end_time + n)
                          for n, i in enumerate(other[:3])]
                q = Query(user_id=u, session_events=events)
                cached = np.asarray(model.score_items(q))
                model.exact_sessions = True
                try:
                    reread = np.asarray(model.score_items(q))
                finally:
                    model.exact_sessions = False
                # the cached path is the GRU reading the history's last window + the session
                ui = model._user_index[u]
                extra = np.array([model._item_index[i] for i in other[:3]])
                with torch.no_grad():
                    longer = last_hidden(model.net, [np.concatenate([
                        model.sequences[ui][-window:], extra])], np.array([ui]), window + 3,
                        model._device)
                    np.testing.assert_allclose(model._continue_gru(ui, list(extra)).numpy(),
                                               longer.numpy(), atol=1e-5)
                seen = set(model.history(u)) | set(other[:3])
                a = [i for i in top(model, cached, 30) if i not in seen][:10]
                b = [i for i in top(model, reread, 30) if i not in seen][:10]
                overlap.append(len(set(a) & set(b)) / 10)
        assert np.mean(overlap) >= 0.8
        # a session longer than the window is read exactly (only its last window items count)
        long = [SessionEvent(item_id=i, timestamp=world.end_time + n)
                for n, i in enumerate((world.cluster_items[0] * 3)[:window + 2])]
        u = world.cluster_users[1][0]
        q = Query(user_id=u, session_events=long)
        s1 = np.asarray(model.score_items(q))
        model.exact_sessions = True
        try:
            s2 = np.asarray(model.score_items(q))
        finally:
            model.exact_sessions = False
        np.testing.assert_array_equal(s1, s2)

    def test_update_adds_new_items_without_full_training(self, model, world):
        frame = world.data.interactions
        chain = world.cluster_items[0]
        extra = pd.DataFrame([{"USER_ID": u, "ITEM_ID": "brand-new",
                               "TIMESTAMP": int(world.end_time) + n, "EVENT_TYPE": "click",
                               "EVENT_VALUE": 3.0}
                              for n, u in enumerate(world.cluster_users[0][:6])])
        data = world.data
        data2 = type(data)(**{**data.__dict__,
                              "interactions": pd.concat([frame, extra], ignore_index=True)})
        recipe = registry.build(registry.get_recipe(self.recipe))
        updated = recipe.update(model, data2, self.options())
        assert "brand-new" in updated.item_ids
        assert updated.settings["epochs"] <= 2
        # old knowledge is kept: the chain successor is still found
        assert successor_hits(updated, world) >= 0.25
        assert chain[0] in updated.item_ids

    def test_event_value_threshold_and_events_without_a_value(self, world):
        spec = registry.get_recipe(self.recipe)
        frame = world.data.interactions.copy()
        u = world.cluster_users[0][0]
        # one of u's events that met the threshold loses its value (legal): now it cannot
        frame.loc[frame.index[(frame["USER_ID"] == u) & (frame["EVENT_VALUE"] >= 3)][0],
                  "EVENT_VALUE"] = np.nan
        data = type(world.data)(**{**world.data.__dict__, "interactions": frame})
        opts = FitOptions(seed=0, hyperparameters=FAST, event_value_threshold=3.0)
        model = registry.build(spec).fit(data, opts)
        kept = frame[(frame["USER_ID"] == u) & (frame["EVENT_VALUE"] >= 3.0)]
        assert list(model.history(u)) == kept.sort_values("TIMESTAMP", kind="stable")[
            "ITEM_ID"].tolist()
        # the same rule for real-time events: below the threshold or without a value, ignored
        chain = world.cluster_items[3]
        base = model.score_items(Query(user_id="anon"))
        ignored = [SessionEvent(item_id=chain[0], timestamp=world.end_time, event_value=1.0),
                   SessionEvent(item_id=chain[1], timestamp=world.end_time + 1)]
        np.testing.assert_array_equal(
            model.score_items(Query(user_id="anon", session_events=ignored)), base)
        counted = [SessionEvent(item_id=chain[0], timestamp=world.end_time, event_value=5.0)]
        moved = np.asarray(model.score_items(Query(user_id="anon", session_events=counted)))
        assert not np.array_equal(moved, base)
        with pytest.raises(EngineError, match="eventType"):
            registry.build(spec).fit(world.data, FitOptions(seed=0, hyperparameters=FAST,
                                                            event_type="purchase"))

    def test_should_stop_raises_training_stopped(self, world):
        spec = registry.get_recipe(self.recipe)
        with pytest.raises(TrainingStopped):
            registry.build(spec).fit(world.data, FitOptions(seed=0, hyperparameters=FAST,
                                                            should_stop=lambda: True))

    def test_bad_hyperparameter_is_refused(self, world):
        spec = registry.get_recipe(self.recipe)
        with pytest.raises(EngineError, match="hidden_dimension"):
            registry.build(spec).fit(world.data, FitOptions(
                seed=0, hyperparameters={"hidden_dimension": "lots"}))


def test_sampled_softmax_learns_the_chains(monkeypatch):
    """Large catalogues train with a sampled softmax; on the tiny world it must still learn."""
    from personalize_emulator.engines.recipes import seq_train
    from personalize_emulator.engines.synthetic import planted

    monkeypatch.setattr(seq_train, "SAMPLED_ABOVE", 0)
    monkeypatch.setattr(seq_train, "N_SAMPLED", 16)
    world = planted(seed=0)
    model = registry.build(registry.get_recipe("aws-hrnn")).fit(
        world.data, FitOptions(seed=0, hyperparameters=FAST))
    assert successor_hits(model, world) >= 0.25


class TestHRNN(SequenceChecks, RecipeContract):
    recipe = "aws-hrnn"
    ranking_recipe = "aws-personalized-ranking"
    hyperparameters = FAST

    def test_plain_hrnn_ignores_metadata_only_items(self, model, world):
        assert not set(world.cold_items) & set(model.item_ids)


def test_blend_and_popularity_penalty_keep_the_catalogue_coverage_of_als():
    """On held-out users, the (blend, popularity penalty) pair is the best NDCG@10 among those
    whose top-25 lists cover at least as much of the catalogue as the ALS part's own."""
    from types import SimpleNamespace

    from personalize_emulator.engines.recipes.seq_model import _choose_blend, _coverage, _row_z

    rng = np.random.default_rng(0)
    n_users, n_items, f = 80, 200, 8
    user_f = rng.normal(size=(n_users, f))
    item_f = rng.normal(size=(n_items, f))
    popularity = np.zeros(n_items + 1)
    popularity[1:] = 5
    popularity[1:31] = 500  # the network's popularity: the same 30 items lead every list
    taste = np.zeros((n_users, n_items + 1))
    taste[:, 1:] = user_f @ item_f.T
    # the ALS part leans on popularity too (one shared factor), so it shows less of the catalogue
    user_f[:, 0] = 3.0
    item_f[:, 0] = np.log1p(popularity[1:])
    held = taste * 0.2 + np.log1p(popularity)[None, :] + rng.normal(scale=0.1, size=taste.shape)
    held[:, 0] = -np.inf
    # the held-out items: each user's best items by taste (what the popularity hides)
    truth = [set((np.argsort(-taste[u, 1:])[:5] + 1).tolist()) for u in range(n_users)]
    holdout = SimpleNamespace(users=np.arange(n_users), truth=truth)
    blend, penalty = _choose_blend(held, holdout, user_f, item_f, popularity)
    finite = np.isfinite(held)
    lt = np.zeros_like(held)
    lt[:, 1:] = user_f @ item_f.T
    z_lt = _row_z(lt, finite)
    z_pop = _row_z(np.broadcast_to(np.log1p(popularity), held.shape), finite)
    chosen = (1 - blend) * _row_z(np.where(finite, held, 0.0), finite) + blend * z_lt \
        - penalty * z_pop
    assert penalty > 0
    assert _coverage(chosen, finite) >= _coverage(z_lt, finite)
    # without popularity counts the old rule applies: best NDCG@10 over the blend grid
    b2, p2 = _choose_blend(held, holdout, user_f, item_f, None)
    assert p2 == 0.0 and 0.0 <= b2 <= 1.0
