"""Where a dataset's records and a solution version's model live on disk.

Layout under the data directory (``config.current().data_dir``, or one temporary directory
per process when unset)::

    <root>/<account>/<region>/<dataset group name>/<DATASET_TYPE>-<created>/   a DatasetTable
    <root>/<account>/<region>/models/<solution name>/<version id>-<created>/  a saved model

``<created>`` is the record's creation time in microseconds. ARNs are reused when a resource is
deleted and created again under the same name, so the creation time keeps a new dataset from
ever seeing the rows of an old one, without having to know when the old one was dropped.

A store reset wipes the store's whole ``<account>/<region>`` tree: a reset means "forget
everything", and the records that named those directories are gone with it.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
import weakref
from pathlib import Path
from typing import Any

from .. import config
from ..data import DatasetTable, parse_schema
from . import arns
from .store import Store

# Wire spelling of dataset types -> the data room's (DatasetTable.dataset_type).
TYPE_NAMES = {
    "INTERACTIONS": "Interactions",
    "ITEMS": "Items",
    "USERS": "Users",
    "ACTIONS": "Actions",
    "ACTION_INTERACTIONS": "Action_Interactions",
}

_temp_root: Path | None = None
_lock = threading.Lock()
_watched: weakref.WeakSet[Store] = weakref.WeakSet()


def root() -> Path:
    """The data directory in force: the configured one, else this process's temporary one."""
    configured = config.current().data_dir
    if configured is not None:
        return Path(configured)
    global _temp_root
    with _lock:
        if _temp_root is None:
            _temp_root = Path(tempfile.mkdtemp(prefix="personalize-emulator-"))
            atexit.register(shutil.rmtree, _temp_root, True)
        return _temp_root


def store_dir(store: Store) -> Path:
    _watch(store)
    return root() / store.account_id / store.region


def _stamp(record: Any) -> str:
    return str(int(record.created.timestamp() * 1_000_000))


def dataset_dir(store: Store, dataset: Any) -> Path:
    group_name, dataset_type = arns.parse(dataset.arn).parts
    return store_dir(store) / group_name / f"{dataset_type}-{_stamp(dataset)}"


def table_for(store: Store, dataset: Any) -> DatasetTable:
    """The table holding ``dataset``'s records, under its current schema.

    Call with ``store.lock`` held or with a record that cannot change meanwhile: the schema
    record is looked up in the store.
    """
    schema = store.records["schema"][dataset.schema_arn]
    group = store.records["dataset-group"].get(dataset.dataset_group_arn)
    parsed = parse_schema(schema.schema, getattr(group, "domain", None))
    return DatasetTable(dataset_dir(store, dataset), parsed, TYPE_NAMES[dataset.dataset_type])


def drop_table(store: Store, dataset: Any) -> None:
    """Delete a dataset's records from disk (for DeleteDataset)."""
    shutil.rmtree(dataset_dir(store, dataset), ignore_errors=True)


def model_dir(store: Store, version: Any) -> Path:
    solution_name, version_id = arns.parse(version.arn).parts
    return store_dir(store) / "models" / solution_name / f"{version_id}-{_stamp(version)}"


def _watch(store: Store) -> None:
    """Register, once per store lifetime, the reset hook that wipes the store's directory.

    ``Store.reset`` drops its callbacks after running them, so the hook re-arms on next use.
    """
    with _lock:
        if store in _watched:
            return
        _watched.add(store)
    directory = root() / store.account_id / store.region

    def wipe() -> None:
        with _lock:
            _watched.discard(store)
        shutil.rmtree(directory, ignore_errors=True)

    store.on_reset(wipe)
