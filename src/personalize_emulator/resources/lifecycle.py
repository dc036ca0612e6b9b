"""Resource statuses, the legal moves between them, and the refusals they imply.

Statuses are spelled exactly as the API returns them: a space after CREATE / DELETE / STOP /
START and an underscore inside ``IN_PROGRESS``. Data deletion jobs use their own bare words
(``PENDING`` ... ``COMPLETED``).

A *path* is one walk a resource can take: ``entry status -> pending -> running -> done | failed``.
The paths are:

============  ==============================  ===================  ==================  ============
path          entry                           pending / running    done                failed
============  ==============================  ===================  ==================  ============
create        new record                      CREATE PENDING /     ACTIVE              CREATE FAILED
                                              CREATE IN_PROGRESS
update        new sub-record, ACTIVE,         same as create       ACTIVE              CREATE FAILED
              CREATE FAILED
delete        ACTIVE, CREATE FAILED,          DELETE PENDING /     (record removed)    back to entry
              INACTIVE                        DELETE IN_PROGRESS
stop          ACTIVE                          STOP PENDING /       INACTIVE            back to entry
                                              STOP IN_PROGRESS
start         INACTIVE                        START PENDING /      ACTIVE              back to entry
                                              START IN_PROGRESS
deletion      new record                      PENDING /            COMPLETED           FAILED
                                              IN_PROGRESS
============  ==============================  ===================  ==================  ============

The create path is also stoppable (StopSolutionVersionCreation): ``CREATE PENDING -> CREATE
STOPPED`` and ``CREATE IN_PROGRESS -> CREATE STOPPING -> CREATE STOPPED``.

Code moves a status only through :func:`transition`; a move outside its path's edges is a bug in
the emulator, so it raises ``RuntimeError`` rather than quietly publishing a wrong status.
Client mistakes (deleting a resource still being created, starting an active recommender) are
refused with :func:`require_status`, which raises the ``ResourceInUseException`` AWS returns.

Targets may be dataclass records or plain dicts (e.g. a ``latest_update`` sub-record) with
``status`` and ``failure_reason``; a change is stamped with the target's ``touch()`` if it has
one (``records.Record``), else its ``updated`` attribute, else ``last_updated``. A new record
must be built with ``status=CREATE_PENDING`` (or no status): the create path does not start
from ``ACTIVE``, so re-creating a live resource cannot happen by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..protocol.errors import ResourceInUseException
from . import clock

CREATE_PENDING = "CREATE PENDING"
CREATE_IN_PROGRESS = "CREATE IN_PROGRESS"
ACTIVE = "ACTIVE"
CREATE_FAILED = "CREATE FAILED"
CREATE_STOPPING = "CREATE STOPPING"
CREATE_STOPPED = "CREATE STOPPED"
DELETE_PENDING = "DELETE PENDING"
DELETE_IN_PROGRESS = "DELETE IN_PROGRESS"
UPDATE_PENDING = "UPDATE PENDING"
UPDATE_IN_PROGRESS = "UPDATE IN_PROGRESS"
STOP_PENDING = "STOP PENDING"
STOP_IN_PROGRESS = "STOP IN_PROGRESS"
INACTIVE = "INACTIVE"
START_PENDING = "START PENDING"
START_IN_PROGRESS = "START IN_PROGRESS"
# Data deletion jobs.
PENDING = "PENDING"
IN_PROGRESS = "IN_PROGRESS"
COMPLETED = "COMPLETED"
FAILED = "FAILED"

TERMINAL = frozenset({ACTIVE, CREATE_FAILED, CREATE_STOPPED, INACTIVE, COMPLETED, FAILED})
IN_FLIGHT = frozenset(
    {
        CREATE_PENDING, CREATE_IN_PROGRESS, CREATE_STOPPING,
        DELETE_PENDING, DELETE_IN_PROGRESS,
        UPDATE_PENDING, UPDATE_IN_PROGRESS,
        STOP_PENDING, STOP_IN_PROGRESS, START_PENDING, START_IN_PROGRESS,
        PENDING, IN_PROGRESS,
    }
)  # fmt: skip

NEW = frozenset({None, ""})  # a record that has never had a status


def is_terminal(status: str | None) -> bool:
    """True when nothing is happening to the resource: ACTIVE, a failure, STOPPED, INACTIVE..."""
    return status in TERMINAL


def is_in_progress(status: str | None) -> bool:
    """True while a create / delete / update / stop / start is pending or running."""
    return status in IN_FLIGHT


@dataclass(frozen=True)
class Path:
    """One walk a resource can take; see the module docstring's table."""

    name: str
    entry: frozenset[str | None]
    pending: str
    running: str
    done: str | None  # None: the record is removed from the store
    failed: str | None  # None: the target returns to the status it had before the path
    stopping: str | None = None
    stopped: str | None = None

    @property
    def stoppable(self) -> bool:
        return self.stopping is not None

    @property
    def edges(self) -> frozenset[tuple[str | None, str]]:
        edges = {(status, self.pending) for status in self.entry if status != self.pending}
        edges.add((self.pending, self.running))
        if self.done is not None:
            edges.add((self.running, self.done))
        if self.failed is not None:
            edges.add((self.running, self.failed))
        else:
            edges.update((self.running, s) for s in self.entry if s not in NEW)
        if self.stopping is not None and self.stopped is not None:
            edges |= {
                (self.pending, self.stopped),
                (self.running, self.stopping),
                (self.stopping, self.stopped),
            }
        return frozenset(edges)


PATHS: dict[str, Path] = {
    p.name: p
    for p in (
        Path("create", NEW | {CREATE_PENDING}, CREATE_PENDING, CREATE_IN_PROGRESS, ACTIVE,
             CREATE_FAILED, CREATE_STOPPING, CREATE_STOPPED),
        Path("update", NEW | {CREATE_PENDING, ACTIVE, CREATE_FAILED}, CREATE_PENDING,
             CREATE_IN_PROGRESS, ACTIVE, CREATE_FAILED),
        Path("delete", frozenset({ACTIVE, CREATE_FAILED, INACTIVE}), DELETE_PENDING,
             DELETE_IN_PROGRESS, None, None),
        Path("stop", frozenset({ACTIVE}), STOP_PENDING, STOP_IN_PROGRESS, INACTIVE, None),
        Path("start", frozenset({INACTIVE}), START_PENDING, START_IN_PROGRESS, ACTIVE, None),
        Path("deletion", NEW | {PENDING}, PENDING, IN_PROGRESS, COMPLETED, FAILED),
    )
}  # fmt: skip


def path(name: str | Path) -> Path:
    if isinstance(name, Path):
        return name
    try:
        return PATHS[name]
    except KeyError:
        raise RuntimeError(f"unknown lifecycle path {name!r}; known: {', '.join(PATHS)}") from None


def get_field(target: Any, name: str) -> Any:
    return target.get(name) if isinstance(target, dict) else getattr(target, name, None)


def set_field(target: Any, name: str, value: Any) -> None:
    if isinstance(target, dict):
        target[name] = value
    else:
        setattr(target, name, value)


def now() -> datetime:
    return clock.now()


def stamp(target: Any) -> None:
    """Record that ``target`` changed: its ``touch()`` if it has one, else ``last_updated``."""
    touch = getattr(target, "touch", None)
    if callable(touch):
        touch()
    elif not isinstance(target, dict) and hasattr(target, "updated"):
        target.updated = now()
    else:
        set_field(target, "last_updated", now())


def check_transition(path_name: str | Path, current: str | None, new: str) -> None:
    """Raise ``RuntimeError`` unless ``current -> new`` is an edge of the path."""
    p = path(path_name)
    if (current, new) not in p.edges:
        raise RuntimeError(f"illegal status transition on path {p.name!r}: {current!r} -> {new!r}")


def transition(target: Any, new: str, path_name: str | Path) -> None:
    """Move ``target.status`` to ``new`` (checked) and :func:`stamp` it."""
    check_transition(path_name, get_field(target, "status"), new)
    set_field(target, "status", new)
    stamp(target)


def begin(target: Any, path_name: str | Path) -> None:
    """Put ``target`` in the path's pending status; a new record may already hold it."""
    p = path(path_name)
    current = get_field(target, "status")
    if current == p.pending and p.pending in p.entry:
        stamp(target)
    elif (current, p.pending) not in p.edges and NEW <= p.entry:
        raise RuntimeError(
            f"a {p.name!r} job needs a new target (status None or {p.pending!r}), not one in"
            f" {current!r}; build new records with status={p.pending!r}"
        )
    else:
        transition(target, p.pending, p)
    if get_field(target, "failure_reason") is not None:
        set_field(target, "failure_reason", None)


def require_status(arn: str, current: str | None, *allowed: str) -> None:
    """Refuse an operation whose target is not in one of ``allowed`` (ResourceInUseException).

    E.g. ``require_status(arn, version.status, ACTIVE)`` before CreateCampaign, or
    ``require_status(arn, ds.status, ACTIVE, CREATE_FAILED)`` before a Delete.
    """
    if current in allowed:
        return
    if len(allowed) > 1:
        wanted = f"{', '.join(allowed[:-1])} or {allowed[-1]}"
    else:
        wanted = allowed[0]
    raise ResourceInUseException(f"Resource {arn} is not in {wanted} state (current: {current}).")
