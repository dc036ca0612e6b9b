"""The job runner: work that takes time (imports, training, deploys, batch jobs) and the status
a describe shows while it runs.

One :class:`JobRunner` per :class:`Store`, from :func:`runner_for`. A handler expresses each
lifecycle in one call::

    runner_for(store).submit(version, train, on_success=publish_model, stoppable=True)
    runner_for(store).submit(campaign, deploy, path="update", target=campaign.latest_update)
    runner_for(store).submit(dataset, drop_blobs, path="delete")      # record removed on success
    runner_for(store).submit(recommender, undeploy, path="stop")      # ACTIVE -> ... -> INACTIVE
    runner_for(store).submit(deletion_job, delete_users, path="deletion")

The statuses of a job on the create path (other paths are the same shape, see ``lifecycle``)::

                 submit            worker starts          work returns
      (new) ---> CREATE PENDING ---> CREATE IN_PROGRESS ---> ACTIVE
                     |                  |    \\
                stop |             stop |     `--- work raises ---> CREATE FAILED (failureReason)
                     v                  v
              CREATE STOPPED <--- CREATE STOPPING   (work sees should_stop(), returns or raises)

Rules that keep describes honest:

* Every status write happens under ``store.lock`` and only while ``store.generation`` equals the
  generation at submit. A reset bumps the generation and calls :meth:`JobRunner.cancel_all`, so a
  job that outlives a reset publishes nothing (moto re-runs ``__init__`` on the old backend, so
  its workers would otherwise write into a store the user can no longer see).
* ``on_success(result)`` runs under the lock just before the done status, so nobody sees ACTIVE
  without the model/output it promises. Its exceptions fail the job like the work's.
* The work's exception becomes the failure status and ``failure_reason`` in words. Expected
  failures (``JobFailed``, ``ServiceError``, ``ValueError`` incl. ``EngineError``) give their
  message; anything else is a bug, logged with traceback to ``personalize_emulator``, and the
  user sees a short "internal error" reason.
* ``job_mode`` ``sync`` (also when unset) runs the work in the caller's thread: submit returns
  with the terminal status set. ``async`` uses a pool of ``workers`` threads; a job waiting for
  a thread stays pending, as in the real service. ``min_state_seconds`` (async only) holds every
  intermediate status at least that long, so polling code sees each one.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
import weakref
from collections.abc import Callable
from datetime import datetime
from typing import Any

from .. import config
from ..protocol.errors import ServiceError
from . import lifecycle
from .lifecycle import get_field, set_field
from .store import Store

log = logging.getLogger("personalize_emulator")


class JobFailed(Exception):
    """Raise inside work to fail the job; the message becomes ``failureReason``."""


class Job:
    """One submitted piece of work and the target whose status it drives."""

    _ids = itertools.count(1)

    def __init__(self, runner: JobRunner, record: Any, target: Any, work: Callable, path: Any,
                 on_success: Callable | None, on_failure: Callable | None, stoppable: bool,
                 min_state_seconds: float):  # fmt: skip
        self.id = next(self._ids)
        self.runner, self.record, self.target, self.work = runner, record, target, work
        self.path: lifecycle.Path = path
        self.on_success, self.on_failure = on_success, on_failure
        self.stoppable = stoppable
        self.min_state_seconds = min_state_seconds
        self.generation = runner.store.generation
        self.origin = get_field(target, "status")
        self.history: list[tuple[str, float]] = []  # (status, time.monotonic())
        self.notes: list[str] = []
        self.started_at: datetime | None = None
        self.result: Any = None
        self.error: BaseException | None = None
        self.outcome: str | None = None  # final status published, or "orphaned"
        self.stop_requested = False
        self.cancelled = False
        self._cond = threading.Condition()
        self._done = threading.Event()

    @property
    def status(self) -> str | None:
        return get_field(self.target, "status")

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.path.name} {self.status!r} outcome={self.outcome!r}>"


class JobContext:
    """What the work sees: stop/cancel polling, progress notes, and its start time."""

    def __init__(self, job: Job):
        self._job = job
        self._t0 = time.monotonic()
        self.started_at: datetime = job.started_at or lifecycle.now()

    def should_stop(self) -> bool:
        """True once the job was stopped or the store reset; long work should poll it."""
        job = self._job
        return job.stop_requested or job.cancelled or job.runner.store.generation != job.generation

    def sleep(self, seconds: float) -> bool:
        """Wait up to ``seconds``, waking early on stop or reset; returns ``should_stop()``."""
        with self._job._cond:
            return self._job._cond.wait_for(self.should_stop, timeout=seconds)

    def progress(self, note: str) -> None:
        self._job.notes.append(note)
        log.debug("job %s: %s", self._job.id, note)

    def elapsed_seconds(self) -> float:
        """Wall time since the work started (e.g. for ``trainingHours``)."""
        return time.monotonic() - self._t0


class JobRunner:
    def __init__(self, store: Store):
        self.store = store
        self._active: dict[int, Job] = {}  # id(target) -> unfinished job
        self._pool: _Pool | None = None
        self._pool_lock = threading.Lock()

    # --- public API ------------------------------------------------------------------------

    def submit(self, record: Any, work: Callable[[JobContext], Any], *, path: str = "create",
               target: Any = None, on_success: Callable[[Any], Any] | None = None,
               on_failure: Callable[[BaseException], Any] | None = None,
               stoppable: bool = False) -> Job:  # fmt: skip
        """Start ``work`` for ``record``; ``target`` (default: the record) walks ``path``.

        Insert the record into the store before submitting: in sync mode everything, including
        ``on_success`` and (on the delete path) the record's removal, happens before return.
        """
        p = lifecycle.path(path)
        if stoppable and not p.stoppable:
            raise RuntimeError(f"path {p.name!r} cannot be stopped")
        settings = config.current()
        run_async = settings.job_mode == "async"
        job = Job(self, record, record if target is None else target, work, p, on_success,
                  on_failure, stoppable, settings.min_state_seconds if run_async else 0.0)  # fmt: skip
        with self.store.lock:
            if id(job.target) in self._active:
                raise RuntimeError(f"{job.target!r} already has a running job")
            lifecycle.begin(job.target, p)
            job.history.append((p.pending, time.monotonic()))
            self._active[id(job.target)] = job
        if run_async:
            with self._pool_lock:
                if self._pool is None:
                    self._pool = _Pool(max(1, settings.workers), self._run_guarded)
                self._pool.put(job)
        else:
            self._run(job)
        return job

    def job_for(self, target: Any) -> Job | None:
        """The unfinished job driving ``target``, if any."""
        job = self._active.get(id(target))
        return job if job is not None and job.target is target else None

    def stop(self, job_or_target: Any, arn: str | None = None) -> None:
        """StopSolutionVersionCreation: pending -> CREATE STOPPED now; running -> CREATE STOPPING."""
        with self.store.lock:
            job = job_or_target if isinstance(job_or_target, Job) else self.job_for(job_or_target)
            target = job.target if job is not None else job_or_target
            status = get_field(target, "status")
            p = job.path if job is not None else lifecycle.PATHS["create"]
            if job is None or job.done or status not in (p.pending, p.running):
                lifecycle.require_status(arn or self._arn_of(target), status,
                                         lifecycle.CREATE_PENDING, lifecycle.CREATE_IN_PROGRESS)  # fmt: skip
                raise RuntimeError(f"{target!r} is {status} but has no running job")
            if not job.stoppable:
                raise RuntimeError(f"job {job.id} was not submitted as stoppable")
            job.stop_requested = True
            if status == p.pending:
                self._move(job, p.stopped)
                self._finish(job, p.stopped)
            else:
                self._move(job, p.stopping)
        job._wake()

    def wait(self, job: Job, timeout: float | None = None) -> bool:
        """Block until the job has published its outcome (or was orphaned); False on timeout."""
        return job._done.wait(timeout)

    def cancel_all(self, timeout: float = 2.0) -> None:
        """On reset: cancel every job, make sure none publishes, and detach from the store."""
        with _runners_lock:
            if _runners.get(self.store) is self:
                del _runners[self.store]
        with self.store.lock:
            jobs = list(self._active.values())
            for job in jobs:
                job.cancelled = True
                if job.started_at is None:  # still queued: the worker will skip it
                    self._finish(job, "orphaned")
        for job in jobs:
            job._wake()
        with self._pool_lock:
            if self._pool is not None:
                self._pool.close()  # jobs queued before this still run (and finish at once)
                self._pool = None
        deadline = time.monotonic() + timeout
        for job in jobs:
            if not job._done.wait(max(0.0, deadline - time.monotonic())):
                log.warning(
                    "job %s still running after reset; its result will be discarded", job.id
                )

    # --- the worker ------------------------------------------------------------------------

    def _run_guarded(self, job: Job) -> None:
        try:
            self._run(job)
        except BaseException:  # a bug in the runner itself: never lose it in a pool thread
            log.exception("job %s crashed", job.id)
            with self.store.lock:
                self._finish(job, "orphaned")

    def _run(self, job: Job) -> None:
        p = job.path
        self._hold(job, lambda: job.cancelled or job.stop_requested)
        with self.store.lock:
            if job.done:  # stopped while pending
                return
            if self._orphaned(job):
                self._finish(job, "orphaned")
                return
            self._move(job, p.running)
            job.started_at = lifecycle.now()
        try:
            job.result = job.work(JobContext(job))
        except Exception as exc:  # noqa: BLE001 - every failure becomes a status
            job.error = exc
        while True:
            self._hold(job, lambda: job.cancelled)
            with self.store.lock:
                if self._orphaned(job):
                    self._finish(job, "orphaned")
                    return
                if not self._held_long_enough(job):
                    continue  # a stop arrived during the hold: CREATE STOPPING must last too
                self._publish(job)
                return

    def _publish(self, job: Job) -> None:
        """Under the lock: the terminal status (or the record's removal) and the callbacks."""
        p = job.path
        if job.stop_requested:
            self._move(job, p.stopped)
            self._finish(job, p.stopped)
            return
        if job.error is None and job.on_success is not None:
            try:
                job.on_success(job.result)
            except Exception as exc:  # noqa: BLE001
                job.error = exc
        if job.error is None:
            if p.done is None:
                self._remove(job.record)
                self._finish(job, "removed")
            else:
                self._move(job, p.done)
                self._finish(job, p.done)
            return
        reason = _reason(job, job.error)
        if job.on_failure is not None:
            try:
                job.on_failure(job.error)
            except Exception:  # noqa: BLE001 - the job is failing already; keep the first reason
                log.exception("job %s: on_failure raised", job.id)
        failed = p.failed if p.failed is not None else job.origin
        self._move(job, failed)
        set_field(job.target, "failure_reason", reason)
        self._finish(job, failed)

    # --- helpers ---------------------------------------------------------------------------

    def _move(self, job: Job, status: str) -> None:
        lifecycle.transition(job.target, status, job.path)
        job.history.append((status, time.monotonic()))

    def _finish(self, job: Job, outcome: str) -> None:
        if job.done:
            return
        job.outcome = outcome
        if self._active.get(id(job.target)) is job:
            del self._active[id(job.target)]
        job._done.set()

    def _orphaned(self, job: Job) -> bool:
        return job.cancelled or self.store.generation != job.generation

    def _held_long_enough(self, job: Job) -> bool:
        return time.monotonic() >= job.history[-1][1] + job.min_state_seconds

    def _hold(self, job: Job, interrupted: Callable[[], bool]) -> None:
        """Keep the current status for ``min_state_seconds`` unless ``interrupted()``."""
        remaining = job.history[-1][1] + job.min_state_seconds - time.monotonic()
        if remaining > 0:
            with job._cond:
                job._cond.wait_for(interrupted, timeout=remaining)

    def _find(self, record: Any) -> tuple[dict[str, Any], str] | None:
        """Where ``record`` sits in the store: ``(store.records[kind], arn)``."""
        for records in self.store.records.values():
            for arn, candidate in records.items():
                if candidate is record:
                    return records, arn
        return None

    def _remove(self, record: Any) -> None:
        if (found := self._find(record)) is not None:
            records, arn = found
            del records[arn]
            self.store.tags.pop(arn, None)

    def _arn_of(self, target: Any) -> str:
        found = self._find(target)
        return get_field(target, "arn") or (found[1] if found else "<unknown>")


class _Pool:
    """A fixed set of daemon threads taking jobs from a queue.

    Not ``ThreadPoolExecutor``: its threads are joined at interpreter exit, so a server stopped
    with Ctrl-C would wait for every running training to finish.
    """

    def __init__(self, size: int, run: Callable[[Job], None]):
        self._queue: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._run = run
        self._threads = [
            threading.Thread(target=self._loop, name=f"personalize-job-{i}", daemon=True)
            for i in range(size)
        ]
        for thread in self._threads:
            thread.start()

    def put(self, job: Job) -> None:
        self._queue.put(job)

    def close(self) -> None:
        for _ in self._threads:
            self._queue.put(None)

    def _loop(self) -> None:
        while (job := self._queue.get()) is not None:
            self._run(job)


def _reason(job: Job, exc: BaseException) -> str:
    if isinstance(exc, ServiceError):
        return exc.message
    if isinstance(exc, (JobFailed, ValueError)):
        return str(exc) or type(exc).__name__
    log.error("job %s (%s) failed unexpectedly", job.id, job.path.name, exc_info=exc)
    return f"Internal error in the emulator ({type(exc).__name__}: {exc})."


_runners: weakref.WeakKeyDictionary[Store, JobRunner] = weakref.WeakKeyDictionary()
_runners_lock = threading.Lock()


def runner_for(store: Store) -> JobRunner:
    """The store's runner, created on first use; a reset cancels it and the next call makes a
    fresh one (``Store.reset`` drops its reset callbacks, so each runner registers its own)."""
    with _runners_lock:
        runner = _runners.get(store)
        if runner is None:
            runner = _runners[store] = JobRunner(store)
            store.on_reset(runner.cancel_all)
        return runner
