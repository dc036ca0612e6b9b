"""Settings, read from ``PERSONALIZE_EMULATOR_*`` environment variables or set from Python.

Every setting has one environment variable; ``README.md`` documents each. Front doors may pick
different defaults (the mock runs jobs synchronously, the server asynchronously), so ``job_mode``
defaults to ``None`` here, meaning "the front door decides".

Use::

    from personalize_emulator import config
    config.current().job_mode             # what is in force now
    with config.override(job_mode="async"):  # in tests, or from a notebook
        ...
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from pathlib import Path

JOB_MODES = ("sync", "async")


@dataclass(frozen=True)
class Settings:
    #: ``sync``: a create call returns once its work is done; ``async``: background workers.
    job_mode: str | None = None
    #: Minimum seconds a resource spends in each intermediate status (async mode), so polling
    #: code sees CREATE PENDING and CREATE IN_PROGRESS.
    min_state_seconds: float = 0.0
    #: Where imported data, trained models and (later) the state snapshot live. None: a
    #: temporary directory per process.
    data_dir: Path | None = None
    #: Worker threads for async jobs.
    workers: int = 2

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        mode = env.get("PERSONALIZE_EMULATOR_JOB_MODE") or None
        if mode is not None and mode not in JOB_MODES:
            raise ValueError(
                f"PERSONALIZE_EMULATOR_JOB_MODE must be one of {', '.join(JOB_MODES)}, not {mode!r}"
            )
        data_dir = env.get("PERSONALIZE_EMULATOR_DATA_DIR")
        return cls(
            job_mode=mode,
            min_state_seconds=float(env.get("PERSONALIZE_EMULATOR_MIN_STATE_SECONDS", "0") or 0),
            data_dir=Path(data_dir) if data_dir else None,
            workers=int(env.get("PERSONALIZE_EMULATOR_WORKERS", "2") or 2),
        )


_lock = threading.Lock()
_overrides: dict[str, object] = {}


def current() -> Settings:
    """The settings in force: environment variables, then Python overrides on top."""
    with _lock:
        overrides = dict(_overrides)
    return replace(Settings.from_env(), **overrides)


def set(**values: object) -> None:  # noqa: A001 - mirrors the module's role
    """Override settings for the rest of the process (e.g. a front door's defaults)."""
    known = {f.name for f in fields(Settings)}
    unknown = [k for k in values if k not in known]
    if unknown:
        raise TypeError(f"unknown setting(s): {', '.join(unknown)}")
    with _lock:
        _overrides.update(values)


@contextlib.contextmanager
def override(**values: object) -> Iterator[Settings]:
    """Override settings inside a ``with`` block, restoring the previous values after."""
    with _lock:
        saved = dict(_overrides)
    set(**values)
    try:
        yield current()
    finally:
        with _lock:
            _overrides.clear()
            _overrides.update(saved)
