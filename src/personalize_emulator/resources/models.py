"""Trained models: saved to disk when a version finishes training, loaded lazily, kept in memory.

A solution version's model is written with ``engines.artifacts.save_model`` into
``datastore.model_dir`` while the training job runs (outside the store lock), and its path is
recorded on the version. In memory, models sit in ``store.blobs`` under ``model:<version arn>``:
a reset clears the blobs with everything else, and a store rebuilt from disk finds the model
again through ``version.model_dir`` on first use.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ..engines import artifacts
from ..engines.base import Model
from . import datastore
from .store import Store


def _key(arn: str) -> str:
    return f"model:{arn}"


def save(store: Store, version: Any, model: Model) -> Path:
    """Write ``model`` for ``version``; returns its directory (not yet visible to readers)."""
    directory = datastore.model_dir(store, version)
    artifacts.save_model(model, directory)
    return directory


def publish(store: Store, version: Any, model: Model, directory: Path) -> None:
    """Under ``store.lock``: make a freshly trained model the version's."""
    version.model_dir = str(directory)
    store.blobs[_key(version.arn)] = model


def get(store: Store, version: Any) -> Model:
    """The version's model, loading it from disk the first time (raises EngineError)."""
    key = _key(version.arn)
    model = store.blobs.get(key)
    if model is not None:
        return model
    if not version.model_dir:
        raise ValueError(f"Solution version {version.arn} has no trained model.")
    model = artifacts.load_model(Path(version.model_dir))
    with store.lock:
        return store.blobs.setdefault(key, model)


def forget(store: Store, version: Any) -> None:
    """Drop a version's model from memory and disk (DeleteSolution)."""
    store.blobs.pop(_key(version.arn), None)
    if version.model_dir:
        shutil.rmtree(version.model_dir, ignore_errors=True)
