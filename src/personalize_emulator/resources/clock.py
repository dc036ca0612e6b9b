"""The emulated clock: real time plus an offset that only moves forward.

Every "now" of the control plane (records' ``created`` / ``updated``, a job's start, when
scheduled work is due) is :func:`now`. The offset is process-wide, like moto's state, and
starts at zero, so without a move nothing differs from real time and nothing scheduled
fires before its real due time (the first automatic training is an hour away).

Users move it with ``personalize_emulator.clock.advance(...)`` or the server's
``POST /_emulator/clock/advance``; both then run what became due (``resources.schedule``).
moto's reset puts the offset back to zero.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

_lock = threading.Lock()
_offset = timedelta(0)


def now() -> datetime:
    """The emulated time (UTC)."""
    return datetime.now(timezone.utc) + _offset


def offset() -> timedelta:
    """How far the emulated clock is ahead of real time."""
    return _offset


def shift(delta: timedelta) -> datetime:
    """Move the clock forward by ``delta`` (never back: due times already passed stay passed);
    returns the new emulated time. Runs nothing: see ``schedule.run_due``."""
    global _offset
    if delta < timedelta(0):
        raise ValueError(f"the clock only moves forward, not by {delta}")
    with _lock:
        _offset += delta
    return now()


def set_offset(delta: timedelta) -> None:
    """Put the offset at ``delta`` (a restored server's saved offset; zero on reset)."""
    global _offset
    if delta < timedelta(0):
        raise ValueError(f"the clock offset cannot be negative ({delta})")
    with _lock:
        _offset = delta


def reset() -> None:
    set_offset(timedelta(0))
