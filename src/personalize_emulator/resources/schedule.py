"""Work the service does on a schedule, fired when the emulated clock (``clock``) passes it.

The schedule lives on the records themselves, so the server's ``state.json`` keeps it and a
reset drops it: a record kind that has scheduled work names the attribute holding its next
due time (a ``datetime`` or None) and registers the function that does the work::

    @schedule.due("solution", "auto_training_at")
    def _auto_train(store, solution, now) -> str | None: ...   # the ARN it started, if any

:func:`run_due` calls that function, under ``store.lock``, for every record whose due time is
not after the emulated now; the function moves the due time on (:func:`next_after`) before it
starts anything, so two callers (``clock.advance`` and the server's :class:`Ticker`) never
fire one slot twice. The work goes through the job runner like a user's call: synchronous
in ``job_mode`` sync (the advance returns once the training is done), background otherwise.

Missed slots are coalesced: moving the clock 30 days ahead runs a 7-day schedule once, not
four times. The work itself only trains when the data changed since the last training
(:func:`data_mark`), and no data can arrive in the middle of a jump, so the runs skipped are
exactly the ones the service would also have skipped.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from . import clock
from .store import Store
from .training_data import tables_of

log = logging.getLogger("personalize_emulator")

#: "Automatic solution version creation starts within one hour after the solution is ACTIVE"
#: (CreateSolution); the emulator starts it exactly one hour after.
FIRST_AUTO_TRAINING = timedelta(hours=1)
DEFAULT_AUTO_TRAINING_DAYS = 7
#: "Recommenders retrain every 7 days" (the guide's maintaining-relevance pages).
RECOMMENDER_RETRAINING = timedelta(days=7)
#: "With User-Personalization-v2, User-Personalization, or Next-Best-Action, Amazon Personalize
#: automatically updates your latest solution version every two hours to include new items or
#: actions in recommendations" (the guide's campaign pages).
AUTO_UPDATE = timedelta(hours=2)
AUTO_UPDATE_RECIPES = ("aws-user-personalization", "aws-user-personalization-v2",
                       "aws-next-best-action")
TICK_SECONDS = 2.0
_RATE = re.compile(r"^rate\((\d+) days?\)$")
#: The datasets whose new rows count as "new interaction data" for automatic training.
INTERACTION_TYPES = ("INTERACTIONS", "ACTION_INTERACTIONS")
#: What the two-hourly update picks up: new interactions and new items or actions.
CATALOGUE_TYPES = INTERACTION_TYPES + ("ITEMS", "ACTIONS")

Fire = Callable[[Store, Any, datetime], "str | None"]
_JOBS: dict[str, tuple[str, Fire]] = {}


def due(kind: str, attribute: str) -> Callable[[Fire], Fire]:
    """Register ``fire(store, record, now)`` for records of ``kind`` due at ``attribute``."""

    def register(fire: Fire) -> Fire:
        _JOBS[kind] = (attribute, fire)
        return fire

    return register


def auto_training_interval(solution_config: Mapping[str, Any] | None) -> timedelta:
    """``autoTrainingConfig.schedulingExpression`` (checked by CreateSolution) as a period."""
    expression = ((solution_config or {}).get("autoTrainingConfig") or {}).get(
        "schedulingExpression"
    )
    m = _RATE.match(expression or "")
    return timedelta(days=int(m.group(1)) if m else DEFAULT_AUTO_TRAINING_DAYS)


def next_after(due_at: datetime, period: timedelta, now: datetime) -> datetime:
    """The first slot of the schedule ``due_at + k * period`` that is after ``now``."""
    if due_at > now:
        return due_at
    missed = (now - due_at) // period + 1
    return due_at + missed * period


def data_mark(store: Store, group_arn: str, kinds: tuple[str, ...] = INTERACTION_TYPES) -> str:
    """What changes whenever the group's data of ``kinds`` does: the part files of those
    tables (by default Interactions and Action interactions). Under ``store.lock``."""
    tables = tables_of(store, group_arn)
    return "|".join(
        f"{kind}:{part.name}"
        for kind in kinds
        if (table := tables.get(kind)) is not None
        for part in table.parts()
    )


#: One firing at a time: a clock move and the run it triggers are one step, so the server's
#: ticker (which sees every store, the in-process mock's too) cannot fire in between and take
#: the work the move's caller is told it started.
_firing = threading.RLock()


def advance(stores: Iterable[Store], delta: timedelta) -> list[str]:
    """Move the clock by ``delta`` and fire what became due; returns what was started."""
    with _firing:
        clock.shift(delta)
        return run_due(stores)


def run_due(stores: Iterable[Store], now: datetime | None = None) -> list[str]:
    """Fire everything due at ``now`` (default: the emulated now) in ``stores``; returns the
    ARNs of what was started (solution versions, recommenders retraining)."""
    with _firing:
        return _run_due(stores, now)


def _run_due(stores: Iterable[Store], now: datetime | None) -> list[str]:
    from .handlers import load_providers

    load_providers()  # the providers register their scheduled work on import
    at = clock.now() if now is None else now
    started: list[str] = []
    for store in stores:
        for kind, (attribute, fire) in list(_JOBS.items()):
            with store.lock:
                for record in list(store.records.get(kind, {}).values()):
                    due_at = getattr(record, attribute, None)
                    if due_at is None or due_at > at:
                        continue
                    try:
                        arn = fire(store, record, at)
                    except Exception:  # noqa: BLE001 - one record's failure must not stop the rest
                        log.exception("scheduled work for %s failed", record.arn)
                        continue
                    if arn is not None:
                        started.append(arn)
    return started


class Ticker:
    """A daemon thread running :func:`run_due` every ``every`` seconds (the server's), so due
    work fires as real time passes too. ``close()`` stops it."""

    def __init__(self, stores: Callable[[], Iterable[Store]], every: float = TICK_SECONDS):
        self._stores = stores
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name="personalize-emulator-clock", daemon=True
        )

    def start(self) -> Ticker:
        self._thread.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            # A tick training in sync mode may outlast this; the thread is a daemon anyway.
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                run_due(self._stores())
            except Exception:  # noqa: BLE001 - keep ticking; the next round may succeed
                log.exception("scheduled work failed")
