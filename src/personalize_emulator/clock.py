"""The emulated clock, for tests that want to see scheduled work happen in seconds.

Amazon Personalize does some work on a schedule: a solution with ``performAutoTraining``
creates its first automatic solution version an hour after it becomes ACTIVE, then one every
``rate(N days)`` (default 7), when new interaction data arrived meanwhile; domain recommenders
retrain every 7 days. The emulator keeps that schedule against a clock that is real time plus
an offset, and fires what is due when the offset moves::

    from personalize_emulator import clock, mock_personalize

    with mock_personalize():
        ...                                   # a solution becomes ACTIVE
        clock.advance(hours=1)                # -> its first AUTOTRAIN version, trained
        clock.advance(days=7)                 # -> the next one, if data came in meanwhile

Work runs as a user's call would: synchronously in job mode ``sync`` (the mock's default, so
``advance`` returns with the versions trained), on the job runner's workers in ``async``. The
standalone server also fires due work by itself as real time passes, and takes
``POST /_emulator/clock/advance`` with ``{"seconds": N}`` (or minutes / hours / days). moto's
reset (leaving the outermost mock, ``/moto-api/reset``) puts the clock back to real time;
timestamps the API reports (``creationDateTime``...) come from this clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .mock import live_stores
from .resources import clock as _clock
from .resources import schedule as _schedule

__all__ = ["advance", "now", "offset", "reset", "run_due"]


def now() -> datetime:
    """The emulated time (UTC): real time plus :func:`offset`."""
    return _clock.now()


def offset() -> timedelta:
    """How far the clock has been moved ahead of real time."""
    return _clock.offset()


def advance(*, days: float = 0, hours: float = 0, minutes: float = 0,
            seconds: float = 0) -> list[str]:  # fmt: skip
    """Move the clock forward and run whatever became due; returns the ARNs of the solution
    versions and recommenders whose (re)training that started."""
    delta = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    return _schedule.advance(live_stores(), delta)


def run_due() -> list[str]:
    """Run whatever is due now, in every account and region (``advance`` calls it)."""
    return _schedule.run_due(live_stores())


def reset() -> None:
    """Back to real time (moto's reset does this, and drops the schedule with the state)."""
    _clock.reset()
