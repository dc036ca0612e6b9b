"""Fixtures for the example tests."""

from __future__ import annotations

from pathlib import Path

import example_support  # noqa: F401  (puts examples/ on sys.path)
import pytest


@pytest.fixture(scope="session")
def synthetic_ml100k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic ``ml-100k`` directory (``u.data``, ``u.item``), made once per session."""
    import movielens

    return movielens.write_synthetic(tmp_path_factory.mktemp("data") / "ml-100k")
