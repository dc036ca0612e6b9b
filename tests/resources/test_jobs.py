"""The job runner: sync and async progressions, failure words, stop, reset, and every path.

Async tests never sleep-and-hope: they hold ``store.lock`` (the worker needs it to leave
CREATE PENDING) or gate the work on events, so what they observe is certain.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

import pytest

from personalize_emulator import config
from personalize_emulator.engines.base import EngineError
from personalize_emulator.protocol.errors import InvalidInputException, ResourceInUseException
from personalize_emulator.resources.jobs import JobContext, JobFailed, runner_for
from personalize_emulator.resources.store import Store

KIND = "solution-version"
ARN = "arn:aws:personalize:us-east-1:123456789012:solution/s/v1"
HANG_GUARD = 30  # seconds; only reached if the runner hangs


@dataclass
class Rec:
    arn: str = ARN
    status: str | None = None
    failure_reason: str | None = None
    last_updated: datetime | None = None
    latest_update: object = None


@pytest.fixture
def store():
    s = Store("123456789012", "us-east-1")
    yield s
    s.reset()  # cancels whatever a failing test left running


@pytest.fixture
def sync_mode():
    with config.override(job_mode="sync"):
        yield


@pytest.fixture
def async_mode():
    with config.override(job_mode="async", workers=2, min_state_seconds=0.0):
        yield


def add(store: Store, rec: Rec, kind: str = KIND) -> Rec:
    store.records[kind][rec.arn] = rec
    return rec


def statuses(job) -> list[str]:
    return [status for status, _ in job.history]


class Gate:
    """Work that reports it started and then waits for the test to let it finish."""

    def __init__(self, result=None, error: Exception | None = None):
        self.started, self.release = threading.Event(), threading.Event()
        self.result, self.error = result, error

    def __call__(self, ctx: JobContext):
        self.started.set()
        assert self.release.wait(HANG_GUARD)
        if self.error is not None:
            raise self.error
        return self.result


# --- sync mode ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["sync", None])
def test_sync_submit_returns_with_the_terminal_status(store, mode):
    rec = add(store, Rec())
    published = []
    with config.override(job_mode=mode):
        job = runner_for(store).submit(rec, lambda ctx: "model", on_success=published.append)
    assert rec.status == "ACTIVE" and rec.failure_reason is None
    assert published == ["model"]
    assert job.done and job.outcome == "ACTIVE"
    assert statuses(job) == ["CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"]
    assert isinstance(rec.last_updated, datetime)


@pytest.mark.parametrize(
    "error, reason",
    [
        (JobFailed("There are not enough interactions: 3 found, 1000 required."),
         "There are not enough interactions: 3 found, 1000 required."),
        (EngineError("Column ITEM_ID is missing."), "Column ITEM_ID is missing."),
        (InvalidInputException("Bad CSV header in row 1."), "Bad CSV header in row 1."),
    ],
)  # fmt: skip
def test_failure_gives_create_failed_with_the_exceptions_words(store, sync_mode, error, reason):
    rec = add(store, Rec())
    published = []

    def work(ctx):
        raise error

    job = runner_for(store).submit(
        rec, work, on_success=published.append, on_failure=published.append
    )
    assert (rec.status, rec.failure_reason) == ("CREATE FAILED", reason)
    assert published == [error]  # on_failure only
    assert job.outcome == "CREATE FAILED"


def test_unexpected_exception_is_logged_with_traceback_but_reason_is_clean(
    store, sync_mode, caplog
):
    rec = add(store, Rec())

    def work(ctx):
        return {}["user_id"]

    with caplog.at_level(logging.ERROR, logger="personalize_emulator"):
        runner_for(store).submit(rec, work)
    assert rec.status == "CREATE FAILED"
    assert rec.failure_reason == "Internal error in the emulator (KeyError: 'user_id')."
    logged = [r for r in caplog.records if r.name == "personalize_emulator"]
    assert logged and logged[0].exc_info is not None


def test_on_success_that_raises_fails_the_job(store, sync_mode):
    rec = add(store, Rec())

    def publish(result):
        raise JobFailed("model could not be saved")

    runner_for(store).submit(rec, lambda ctx: 1, on_success=publish)
    assert (rec.status, rec.failure_reason) == ("CREATE FAILED", "model could not be saved")


def test_context_reports_start_time_and_progress(store, sync_mode):
    rec = add(store, Rec())
    seen = {}

    def work(ctx):
        ctx.progress("epoch 1")
        seen["started_at"], seen["elapsed"] = ctx.started_at, ctx.elapsed_seconds()
        seen["stop"] = ctx.should_stop()

    job = runner_for(store).submit(rec, work)
    assert job.started_at == seen["started_at"] and seen["started_at"].tzinfo is not None
    assert seen["elapsed"] >= 0 and seen["stop"] is False
    assert job.notes == ["epoch 1"]


def test_submitting_onto_a_wrong_status_is_a_programming_error(store, sync_mode):
    rec = add(store, Rec(status="CREATE IN_PROGRESS"))
    with pytest.raises(RuntimeError):
        runner_for(store).submit(rec, lambda ctx: None, path="delete")
    assert rec.status == "CREATE IN_PROGRESS"
    with pytest.raises(RuntimeError, match="cannot be stopped"):
        runner_for(store).submit(
            Rec(status="ACTIVE"), lambda ctx: None, path="stop", stoppable=True
        )


# --- the other paths, one call each ------------------------------------------------------


def test_update_path_walks_the_sub_record_and_leaves_the_top_record_serving(store, sync_mode):
    campaign = add(store, Rec(status="ACTIVE"), "campaign")
    campaign.latest_update = {"status": "CREATE PENDING", "failure_reason": None}
    job = runner_for(store).submit(campaign, lambda ctx: "v2", path="update",
                                   target=campaign.latest_update)  # fmt: skip
    assert statuses(job) == ["CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"]
    assert campaign.latest_update["status"] == "ACTIVE"
    assert campaign.status == "ACTIVE"


def test_failed_update_marks_only_the_sub_record(store, sync_mode):
    campaign = add(store, Rec(status="ACTIVE"), "campaign")
    campaign.latest_update = Rec(status="CREATE PENDING")

    def work(ctx):
        raise JobFailed("solution version is not ACTIVE")

    runner_for(store).submit(campaign, work, path="update", target=campaign.latest_update)
    assert campaign.latest_update.status == "CREATE FAILED"
    assert campaign.latest_update.failure_reason == "solution version is not ACTIVE"
    assert (campaign.status, campaign.failure_reason) == ("ACTIVE", None)


def test_delete_path_removes_the_record_and_its_tags(store, sync_mode):
    rec = add(store, Rec(status="CREATE FAILED", failure_reason="old"), "dataset")
    store.tags[rec.arn] = {"team": "recs"}
    job = runner_for(store).submit(rec, lambda ctx: None, path="delete")
    assert statuses(job) == ["DELETE PENDING", "DELETE IN_PROGRESS"]
    assert job.outcome == "removed"
    assert rec.arn not in store.records["dataset"] and rec.arn not in store.tags


def test_failed_delete_returns_to_the_previous_status_and_keeps_the_record(store, sync_mode):
    rec = add(store, Rec(status="ACTIVE"), "dataset")

    def work(ctx):
        raise JobFailed("blob store unavailable")

    runner_for(store).submit(rec, work, path="delete")
    assert (rec.status, rec.failure_reason) == ("ACTIVE", "blob store unavailable")
    assert store.records["dataset"][rec.arn] is rec


def test_recommender_stop_then_start(store, sync_mode):
    rec = add(store, Rec(status="ACTIVE"), "recommender")
    stop = runner_for(store).submit(rec, lambda ctx: None, path="stop")
    assert statuses(stop) == ["STOP PENDING", "STOP IN_PROGRESS", "INACTIVE"]
    start = runner_for(store).submit(rec, lambda ctx: None, path="start")
    assert statuses(start) == ["START PENDING", "START IN_PROGRESS", "ACTIVE"]
    assert rec.status == "ACTIVE"


def test_data_deletion_job_completes_or_fails(store, sync_mode):
    ok = add(store, Rec(arn="arn:...:data-deletion-job/a"), "data-deletion-job")
    job = runner_for(store).submit(ok, lambda ctx: 12, path="deletion")
    assert statuses(job) == ["PENDING", "IN_PROGRESS", "COMPLETED"]

    bad = add(store, Rec(arn="arn:...:data-deletion-job/b"), "data-deletion-job")

    def work(ctx):
        raise JobFailed("Could not read s3://bucket/users.csv: NoSuchKey")

    runner_for(store).submit(bad, work, path="deletion")
    assert (bad.status, bad.failure_reason) == (
        "FAILED",
        "Could not read s3://bucket/users.csv: NoSuchKey",
    )


# --- async mode --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, start, walk",
    [
        ("create", None, ["CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"]),
        ("delete", "ACTIVE", ["DELETE PENDING", "DELETE IN_PROGRESS", "DELETE IN_PROGRESS"]),
        ("stop", "ACTIVE", ["STOP PENDING", "STOP IN_PROGRESS", "INACTIVE"]),
        ("start", "INACTIVE", ["START PENDING", "START IN_PROGRESS", "ACTIVE"]),
        ("deletion", None, ["PENDING", "IN_PROGRESS", "COMPLETED"]),
    ],
)
def test_async_describe_sees_each_status(store, async_mode, path, start, walk):
    rec = add(store, Rec(status=start))
    work = Gate(result="model")
    runner = runner_for(store)
    with store.lock:  # the worker cannot leave the pending status while we hold the lock
        job = runner.submit(rec, work, path=path)
        assert rec.status == walk[0] and not job.done
    assert work.started.wait(HANG_GUARD)
    assert rec.status == walk[1]
    work.release.set()
    assert runner.wait(job, HANG_GUARD)
    assert rec.status == walk[2]
    assert (rec.arn in store.records[KIND]) == (path != "delete")


def test_async_failure_reason_is_published(store, async_mode):
    rec = add(store, Rec())
    work = Gate(error=JobFailed("Dataset has 2 users; at least 25 are required."))
    work.release.set()
    runner = runner_for(store)
    job = runner.submit(rec, work)
    assert runner.wait(job, HANG_GUARD)
    assert (rec.status, rec.failure_reason) == (
        "CREATE FAILED",
        "Dataset has 2 users; at least 25 are required.",
    )


def test_min_state_seconds_holds_each_intermediate_status(store):
    rec = add(store, Rec())
    hold = 0.05
    with config.override(job_mode="async", min_state_seconds=hold):
        runner = runner_for(store)
        job = runner.submit(rec, lambda ctx: "model")
        assert runner.wait(job, HANG_GUARD)
    assert statuses(job) == ["CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"]
    times = [t for _, t in job.history]
    # A guarantee of the runner (it publishes only after the hold), not a speed measurement.
    assert times[1] - times[0] >= hold and times[2] - times[1] >= hold


def test_a_job_waiting_for_a_worker_stays_pending(store):
    first, second = add(store, Rec(arn="arn:1")), add(store, Rec(arn="arn:2"))
    work = Gate()
    with config.override(job_mode="async", workers=1):
        runner = runner_for(store)
        a = runner.submit(first, work)
        assert work.started.wait(HANG_GUARD)
        b = runner.submit(second, lambda ctx: None)
        assert second.status == "CREATE PENDING"  # the only worker is busy with `first`
        work.release.set()
        assert runner.wait(a, HANG_GUARD) and runner.wait(b, HANG_GUARD)
    assert (first.status, second.status) == ("ACTIVE", "ACTIVE")


def test_a_target_cannot_have_two_jobs(store, async_mode):
    rec = add(store, Rec())
    work = Gate()
    runner = runner_for(store)
    job = runner.submit(rec, work)
    assert runner.job_for(rec) is job
    with pytest.raises(RuntimeError, match="already has a running job"):
        runner.submit(rec, lambda ctx: None, path="update")
    work.release.set()
    assert runner.wait(job, HANG_GUARD) and runner.job_for(rec) is None


# --- stop --------------------------------------------------------------------------------


def test_stop_mid_work_goes_through_create_stopping_to_create_stopped(store, async_mode):
    rec = add(store, Rec())
    started, saw_stop, observed = threading.Event(), threading.Event(), threading.Event()
    published = []

    def train(ctx):
        started.set()
        if ctx.sleep(HANG_GUARD):
            saw_stop.set()
            assert observed.wait(HANG_GUARD)
        return "half a model"

    runner = runner_for(store)
    job = runner.submit(rec, train, stoppable=True, on_success=published.append)
    assert started.wait(HANG_GUARD)
    runner.stop(rec)
    assert rec.status == "CREATE STOPPING"
    assert saw_stop.wait(HANG_GUARD)
    observed.set()
    assert runner.wait(job, HANG_GUARD)
    assert (rec.status, rec.failure_reason) == ("CREATE STOPPED", None)
    assert published == [] and store.records[KIND][ARN] is rec
    assert statuses(job) == ["CREATE PENDING", "CREATE IN_PROGRESS", "CREATE STOPPING",
                             "CREATE STOPPED"]  # fmt: skip


def test_stop_before_the_work_starts_gives_create_stopped_at_once(store):
    rec, after = add(store, Rec()), add(store, Rec(arn="arn:after"))
    ran = []
    with config.override(job_mode="async", workers=1):
        runner = runner_for(store)
        with store.lock:
            job = runner.submit(rec, ran.append, stoppable=True)
            runner.stop(job)
            assert rec.status == "CREATE STOPPED" and job.done
        # One worker takes jobs in order: once `after` is done, the stopped job was skipped.
        assert runner.wait(runner.submit(after, lambda ctx: None), HANG_GUARD)
    assert ran == [] and rec.status == "CREATE STOPPED"


def test_stop_of_a_finished_job_is_refused(store, sync_mode):
    rec = add(store, Rec())
    job = runner_for(store).submit(rec, lambda ctx: None, stoppable=True)
    with pytest.raises(ResourceInUseException) as err:
        runner_for(store).stop(job)
    assert err.value.message == (
        f"Resource {ARN} is not in CREATE PENDING or CREATE IN_PROGRESS state (current: ACTIVE)."
    )
    with pytest.raises(ResourceInUseException):
        runner_for(store).stop(rec)
    assert rec.status == "ACTIVE"


def test_stop_of_a_job_not_submitted_stoppable_is_a_programming_error(store, async_mode):
    rec = add(store, Rec())
    work = Gate()
    runner = runner_for(store)
    job = runner.submit(rec, work)
    with pytest.raises(RuntimeError, match="not submitted as stoppable"):
        runner.stop(job)
    work.release.set()
    assert runner.wait(job, HANG_GUARD) and rec.status == "ACTIVE"


# --- reset -------------------------------------------------------------------------------


def test_reset_during_work_publishes_nothing(store, async_mode):
    rec = add(store, Rec())
    started, published = threading.Event(), []

    def train(ctx):
        started.set()
        ctx.sleep(HANG_GUARD)  # wakes on the reset
        return "model"  # ...and pretends it finished anyway

    runner = runner_for(store)
    job = runner.submit(rec, train, on_success=published.append, on_failure=published.append)
    assert started.wait(HANG_GUARD)
    store.reset()
    assert runner.wait(job, HANG_GUARD) and job.outcome == "orphaned"
    assert published == [] and rec.status == "CREATE IN_PROGRESS"
    assert dict(store.records) == {}


def test_work_that_ignores_cancel_still_publishes_nothing(store, async_mode):
    rec = add(store, Rec())
    fresh = Rec(status="ACTIVE")
    work = Gate(result="model")
    runner = runner_for(store)
    job = runner.submit(rec, work)
    assert work.started.wait(HANG_GUARD)
    store.generation += 1  # what Store.reset does first; cancel_all may come later
    store.records[KIND][ARN] = fresh  # a new resource under the same name after the reset
    work.release.set()
    assert runner.wait(job, HANG_GUARD) and job.outcome == "orphaned"
    assert rec.status == "CREATE IN_PROGRESS" and store.records[KIND][ARN] is fresh
    assert fresh.status == "ACTIVE"


def test_reset_cancels_queued_jobs_and_a_fresh_runner_serves_the_next_generation(store):
    a, b = add(store, Rec(arn="arn:a")), add(store, Rec(arn="arn:b"))
    with config.override(job_mode="async", workers=1):
        old = runner_for(store)
        busy = old.submit(a, lambda ctx: ctx.sleep(HANG_GUARD))
        queued = old.submit(b, lambda ctx: None)
        store.reset()
        assert old.wait(busy, HANG_GUARD) and old.wait(queued, HANG_GUARD)
        assert (busy.outcome, queued.outcome) == ("orphaned", "orphaned")
        assert b.status == "CREATE PENDING"

        new = runner_for(store)
        assert new is not old
        c = add(store, Rec(arn="arn:c"))
        job = new.submit(c, lambda ctx: ctx.sleep(HANG_GUARD))
        store.reset()  # the new runner registered itself for the next reset too
        assert new.wait(job, HANG_GUARD) and job.outcome == "orphaned"
