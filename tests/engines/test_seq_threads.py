"""Training slices (``seq_threads``): a fit learns the same bits whether a batch's slices run in
parallel threads or one after the other, with or without metadata, context or the sampled
softmax; and the dropout that makes this possible behaves like dropout."""

from __future__ import annotations

import threading
from functools import partial

import numpy as np
import pytest
import torch
from test_context import _world as context_world

from personalize_emulator.engines import registry
from personalize_emulator.engines.base import FitOptions, Query
from personalize_emulator.engines.recipes import seq_train
from personalize_emulator.engines.recipes.seq_layers import MaskDropout, dropout_stream
from personalize_emulator.engines.recipes.seq_threads import SHARDS, ShardRunner, split
from personalize_emulator.engines.synthetic import planted

FAST = {"hidden_dimension": "32", "bptt": "8"}


def test_split_keeps_order_and_covers_the_batch():
    idx = np.arange(7)
    parts = split(idx)
    assert len(parts) == SHARDS
    np.testing.assert_array_equal(np.concatenate(parts), idx)
    assert [len(p) for p in split(np.arange(1))] == [1]


def test_parallel_runner_uses_other_threads_and_keeps_slice_order():
    seen = []

    def work(k):
        seen.append(threading.current_thread().name)
        return k * 10

    with ShardRunner(parallel=True) as runner:
        assert runner.run([partial(work, 0), partial(work, 1)]) == [0, 10]
    assert any(name.startswith("seq-shard") for name in seen)
    assert ShardRunner.for_threads(1).parallel is False
    with ShardRunner.for_threads(2) as two:
        assert two.parallel


def test_mask_dropout_drops_p_keeps_the_mean_and_follows_its_stream():
    torch.manual_seed(0)
    drop = MaskDropout(0.2).train()
    x = torch.ones(64, 32, 16)
    y = drop(x)
    assert float((y == 0).float().mean()) == pytest.approx(0.2, abs=0.01)
    assert float(y.mean()) == pytest.approx(1.0, abs=0.02)
    with dropout_stream(7):
        a = drop(x)
    with dropout_stream(7):
        b = drop(x)
    assert torch.equal(a, b) and not torch.equal(a, y)
    assert torch.equal(drop.eval()(x), x)


def _scores(recipe: str, data, threads: int, hyperparameters=None) -> np.ndarray:
    spec = registry.get_recipe(recipe)
    model = registry.build(spec).fit(data, FitOptions(
        seed=0, threads=threads, hyperparameters=hyperparameters or {}))
    users = model.user_ids[:3]
    return np.stack([np.asarray(model.score_items(Query(user_id=u))) for u in users])


@pytest.mark.parametrize("recipe", ["aws-user-personalization", "aws-hrnn-metadata",
                                    "aws-user-personalization-v2"])
def test_fit_is_the_same_with_parallel_or_sequential_slices(recipe):
    world = planted(seed=1)
    hp = {} if recipe.endswith("-v2") else FAST
    np.testing.assert_array_equal(_scores(recipe, world.data, 1, hp),
                                  _scores(recipe, world.data, 2, hp))


def test_context_and_sampled_softmax_fit_the_same_either_way(monkeypatch):
    # a catalogue "above" the limit, so the negatives shared by a batch's slices are exercised
    monkeypatch.setattr(seq_train, "SAMPLED_ABOVE", 4)
    monkeypatch.setattr(seq_train, "N_SAMPLED", 8)
    data = context_world(n_users=40, length=12)
    np.testing.assert_array_equal(_scores("aws-user-personalization", data, 1, FAST),
                                  _scores("aws-user-personalization", data, 2, FAST))
