"""Saving and loading fitted models without pickle.

A model directory holds ``engine.json`` (which Model class to load, written by
:func:`save_model`) and whatever the model writes itself: numeric arrays and string-id arrays
through :func:`save_arrays` (``np.savez``; read back with ``allow_pickle=False``), metadata
through :func:`save_json`, torch weights as a ``state_dict`` loaded with ``weights_only=True``.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from .base import EngineError, Model

ENGINE_FILE = "engine.json"


def save_arrays(directory: Path, name: str, **arrays: np.ndarray) -> None:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    clean = {}
    for key, value in arrays.items():
        arr = np.asarray(value)
        if arr.dtype == object:
            arr = arr.astype(str)
        clean[key] = arr
    with open(directory / f"{name}.npz", "wb") as fh:
        np.savez(fh, **clean)


def load_arrays(directory: Path, name: str) -> dict[str, np.ndarray]:
    path = Path(directory) / f"{name}.npz"
    if not path.exists():
        raise EngineError(f"Model file {path.name} is missing from {directory}")
    with np.load(path, allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def save_json(directory: Path, name: str, payload: dict[str, Any]) -> None:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.json").write_text(json.dumps(payload, sort_keys=True, indent=1))


def load_json(directory: Path, name: str) -> dict[str, Any]:
    path = Path(directory) / f"{name}.json"
    if not path.exists():
        raise EngineError(f"Model file {path.name} is missing from {directory}")
    return json.loads(path.read_text())


def class_path(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def save_model(model: Model, directory: Path) -> None:
    """Save any model so that :func:`load_model` can restore it without knowing its class."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    model.save(directory)
    save_json(directory, "engine", {"model_class": class_path(type(model))})


def load_model(directory: Path) -> Model:
    meta = load_json(directory, "engine")
    module_name, _, name = str(meta["model_class"]).partition(":")
    if not module_name.startswith("personalize_emulator.engines."):
        raise EngineError(f"Refusing to load a model class outside the engines: {module_name}")
    try:
        cls = getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError) as exc:
        raise EngineError(f"Cannot load model class {meta['model_class']}: {exc}") from exc
    return cls.load(Path(directory))
