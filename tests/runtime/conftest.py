"""Fixtures of the runtime tests; every boto3 test runs on both doors through ``aws``."""

from __future__ import annotations

import pytest
from runtime_support import Shop, small_world


@pytest.fixture
def shop(aws) -> Shop:
    """Interactions + Items of a small planted world, an event tracker; nothing trained."""
    return Shop.build(aws, small_world())
