"""The state of one (account, region): plain records, one lock, and the jobs that mutate it.

Design: every resource is a dataclass record held in ``store.records[kind][arn]``; ``kind`` is
the ARN resource type (``schema``, ``dataset-group``, ``dataset``, ...). Records hold Python
values only (``datetime``, ``str``, dicts), never wire-shaped camelCase JSON, so that a later
snapshot can write the whole store under ``--data-dir``. Trained models and imported tables
are large; records refer to them by key in ``store.blobs`` rather than embedding them.

Requests are not serialised by moto or the server, so every handler that reads-then-writes
takes ``store.lock``. Background jobs hold a reference to the store and must check
``store.generation`` before publishing: a reset bumps it, so a job that finishes after a reset
writes nothing.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any


class Store:
    def __init__(self, account_id: str, region: str):
        self.account_id = account_id
        self.region = region
        self.lock = threading.RLock()
        self.generation = 0
        self.records: dict[str, dict[str, Any]] = defaultdict(dict)
        self.tags: dict[str, dict[str, str]] = {}
        self.blobs: dict[str, Any] = {}
        self._on_reset: list[Any] = []

    def on_reset(self, callback: Any) -> None:
        """Run ``callback()`` when the store is reset (e.g. to cancel a job runner)."""
        self._on_reset.append(callback)

    def reset(self) -> None:
        with self.lock:
            self.generation += 1
            callbacks, self._on_reset = self._on_reset, []
        for callback in callbacks:
            callback()
        with self.lock:
            self.records.clear()
            self.tags.clear()
            self.blobs.clear()
