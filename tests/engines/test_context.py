"""Contextual fields: a user-personalization model that learned DEVICE answers by it.

Every user alternates between two devices and, on each, between two disjoint item families:
on mobile they play short clips (``m*``), on desktop they watch films (``d*``). With the
request's ``context`` the model must lean to the family of the device asked about.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from personalize_emulator.engines import registry, serving
from personalize_emulator.engines.base import FitOptions, Query
from personalize_emulator.engines.dataset import FieldKinds, TrainingData


def _world(seed: int = 0, n_users: int = 80, length: int = 24) -> TrainingData:
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(n_users):
        t = 1_600_000_000 + u * 7
        for step in range(length):
            device = "mobile" if rng.random() < 0.5 else "desktop"
            family = "m" if device == "mobile" else "d"
            rows.append((f"u{u}", f"{family}{int(rng.integers(8))}", t + 60 * step, device))
    frame = pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP", "DEVICE"])
    return TrainingData(interactions=frame, interaction_kinds=FieldKinds(categorical={"DEVICE"}))


@pytest.fixture(scope="module")
def model():
    spec = registry.get_recipe("aws-user-personalization")
    return registry.build(spec).fit(_world(), FitOptions(seed=0))


def _mobile_share(model, device: str) -> float:
    shares = []
    for user in ("u3", "u17", "u42", "u60"):
        query = Query(user_id=user, context={"DEVICE": device})
        # Users have seen most of this small catalogue; rank all of it, as the runtime does.
        top = serving.recommend(model, query, 4, exclude_seen=False)
        shares.append(sum(item.startswith("m") for item, _ in top) / len(top))
    return float(np.mean(shares))


def test_context_steers_recommendations(model):
    on_mobile, on_desktop = _mobile_share(model, "mobile"), _mobile_share(model, "desktop")
    assert on_mobile >= 0.75 and on_desktop <= 0.25, (on_mobile, on_desktop)
