"""Fixtures of the recommender tests."""

from __future__ import annotations

import pytest
from recommender_support import Domain, vod_world


@pytest.fixture
def vod(aws):
    """A VIDEO_ON_DEMAND dataset group loaded with the planted VOD world, on the test's door."""
    domain = Domain.open(aws)
    world = vod_world()
    domain.load("videos", "VIDEO_ON_DEMAND", world)
    return domain, world
