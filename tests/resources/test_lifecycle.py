"""Status spelling, the legal moves of each path, and the refusal messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest

from personalize_emulator.protocol.errors import ResourceInUseException
from personalize_emulator.resources import lifecycle as lc

ARN = "arn:aws:personalize:us-east-1:123456789012:solution/s/v1"


@dataclass
class Rec:
    status: str | None = None
    failure_reason: str | None = None
    last_updated: datetime | None = None


def test_status_strings_are_spelled_as_the_api_returns_them():
    assert (lc.CREATE_PENDING, lc.CREATE_IN_PROGRESS) == ("CREATE PENDING", "CREATE IN_PROGRESS")
    assert (lc.ACTIVE, lc.CREATE_FAILED) == ("ACTIVE", "CREATE FAILED")
    assert (lc.CREATE_STOPPING, lc.CREATE_STOPPED) == ("CREATE STOPPING", "CREATE STOPPED")
    assert (lc.DELETE_PENDING, lc.DELETE_IN_PROGRESS) == ("DELETE PENDING", "DELETE IN_PROGRESS")
    assert (lc.UPDATE_PENDING, lc.UPDATE_IN_PROGRESS) == ("UPDATE PENDING", "UPDATE IN_PROGRESS")
    assert (lc.STOP_PENDING, lc.STOP_IN_PROGRESS) == ("STOP PENDING", "STOP IN_PROGRESS")
    assert (lc.START_PENDING, lc.START_IN_PROGRESS) == ("START PENDING", "START IN_PROGRESS")
    assert lc.INACTIVE == "INACTIVE"
    assert (lc.PENDING, lc.IN_PROGRESS, lc.COMPLETED, lc.FAILED) == (
        "PENDING",
        "IN_PROGRESS",
        "COMPLETED",
        "FAILED",
    )


@pytest.mark.parametrize(
    "status", ["ACTIVE", "CREATE FAILED", "CREATE STOPPED", "INACTIVE", "COMPLETED", "FAILED"]
)
def test_terminal_statuses(status):
    assert lc.is_terminal(status)
    assert not lc.is_in_progress(status)


@pytest.mark.parametrize(
    "status",
    ["CREATE PENDING", "CREATE IN_PROGRESS", "CREATE STOPPING", "DELETE PENDING",
     "DELETE IN_PROGRESS", "STOP PENDING", "STOP IN_PROGRESS", "START PENDING",
     "START IN_PROGRESS", "UPDATE PENDING", "UPDATE IN_PROGRESS", "PENDING", "IN_PROGRESS"],
)  # fmt: skip
def test_in_progress_statuses(status):
    assert lc.is_in_progress(status)
    assert not lc.is_terminal(status)


@pytest.mark.parametrize(
    "path, walk",
    [
        ("create", [None, "CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"]),
        ("create", [None, "CREATE PENDING", "CREATE IN_PROGRESS", "CREATE FAILED"]),
        ("create", [None, "CREATE PENDING", "CREATE STOPPED"]),
        ("create", [None, "CREATE PENDING", "CREATE IN_PROGRESS", "CREATE STOPPING",
                    "CREATE STOPPED"]),
        ("update", ["ACTIVE", "CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"]),
        ("update", ["CREATE FAILED", "CREATE PENDING", "CREATE IN_PROGRESS", "CREATE FAILED"]),
        ("delete", ["ACTIVE", "DELETE PENDING", "DELETE IN_PROGRESS"]),
        ("delete", ["CREATE FAILED", "DELETE PENDING", "DELETE IN_PROGRESS", "CREATE FAILED"]),
        ("stop", ["ACTIVE", "STOP PENDING", "STOP IN_PROGRESS", "INACTIVE"]),
        ("start", ["INACTIVE", "START PENDING", "START IN_PROGRESS", "ACTIVE"]),
        ("start", ["INACTIVE", "START PENDING", "START IN_PROGRESS", "INACTIVE"]),
        ("deletion", [None, "PENDING", "IN_PROGRESS", "COMPLETED"]),
        ("deletion", [None, "PENDING", "IN_PROGRESS", "FAILED"]),
    ],
)  # fmt: skip
def test_legal_walks(path, walk):
    rec = Rec(status=walk[0])
    for status in walk[1:]:
        lc.transition(rec, status, path)
        assert rec.status == status
        assert rec.last_updated is not None


@pytest.mark.parametrize(
    "path, current, new",
    [
        ("create", None, "ACTIVE"),  # skipping IN_PROGRESS
        ("create", "CREATE PENDING", "ACTIVE"),
        ("create", "ACTIVE", "CREATE PENDING"),  # re-creating a live resource
        ("create", "CREATE FAILED", "ACTIVE"),
        ("create", "CREATE STOPPED", "CREATE IN_PROGRESS"),  # stopping is not resumable
        ("create", "ACTIVE", "CREATE STOPPING"),
        ("update", "CREATE PENDING", "CREATE STOPPED"),  # updates are not stoppable
        ("delete", "CREATE PENDING", "DELETE PENDING"),
        ("delete", "CREATE IN_PROGRESS", "DELETE PENDING"),
        ("delete", "DELETE PENDING", "ACTIVE"),
        ("stop", "INACTIVE", "STOP PENDING"),
        ("start", "ACTIVE", "START PENDING"),
        ("deletion", "PENDING", "COMPLETED"),
        ("deletion", "IN_PROGRESS", "ACTIVE"),
    ],
)
def test_illegal_transitions_raise_and_change_nothing(path, current, new):
    rec = Rec(status=current)
    with pytest.raises(RuntimeError, match="illegal status transition"):
        lc.transition(rec, new, path)
    assert rec.status == current
    assert rec.last_updated is None


def test_unknown_path_is_a_programming_error():
    with pytest.raises(RuntimeError, match="unknown lifecycle path 'restart'"):
        lc.transition(Rec(), "ACTIVE", "restart")


def test_begin_accepts_a_new_record_or_one_built_pending_and_clears_the_old_reason():
    fresh = Rec()
    lc.begin(fresh, "create")
    assert fresh.status == "CREATE PENDING" and fresh.last_updated is not None

    built_pending = Rec(status="CREATE PENDING")
    lc.begin(built_pending, "create")
    assert built_pending.status == "CREATE PENDING"

    retried = Rec(status="CREATE FAILED", failure_reason="bad schema")
    lc.begin(retried, "update")
    assert (retried.status, retried.failure_reason) == ("CREATE PENDING", None)


def test_begin_refuses_a_second_delete():
    rec = Rec(status="DELETE PENDING")
    with pytest.raises(RuntimeError):
        lc.begin(rec, "delete")


def test_stamp_prefers_touch_then_updated_then_last_updated():
    class Touchy:
        touched = 0

        def touch(self):
            self.touched += 1

    class WithUpdated:
        updated = None

    t, u, d = Touchy(), WithUpdated(), {"status": None}
    lc.stamp(t)
    lc.stamp(u)
    lc.stamp(d)
    assert t.touched == 1
    assert isinstance(u.updated, datetime)
    assert isinstance(d["last_updated"], datetime)


def test_dict_targets_walk_like_records():
    update = {"status": "CREATE PENDING", "failure_reason": None}
    lc.transition(update, "CREATE IN_PROGRESS", "update")
    lc.transition(update, "ACTIVE", "update")
    assert update["status"] == "ACTIVE"


def test_require_status_passes_when_allowed():
    lc.require_status(ARN, "ACTIVE", "ACTIVE")
    lc.require_status(ARN, "CREATE FAILED", "ACTIVE", "CREATE FAILED")


def test_require_status_message_names_the_resource_and_its_status():
    with pytest.raises(ResourceInUseException) as err:
        lc.require_status(ARN, "CREATE IN_PROGRESS", "ACTIVE")
    assert err.value.code == "ResourceInUseException"
    assert err.value.message == (
        f"Resource {ARN} is not in ACTIVE state (current: CREATE IN_PROGRESS)."
    )


def test_require_status_message_lists_every_allowed_status():
    with pytest.raises(ResourceInUseException) as err:
        lc.require_status(ARN, "CREATE PENDING", "ACTIVE", "CREATE FAILED")
    assert err.value.message == (
        f"Resource {ARN} is not in ACTIVE or CREATE FAILED state (current: CREATE PENDING)."
    )
    with pytest.raises(ResourceInUseException) as err:
        lc.require_status(ARN, "ACTIVE", "CREATE PENDING", "CREATE IN_PROGRESS", "INACTIVE")
    assert "not in CREATE PENDING, CREATE IN_PROGRESS or INACTIVE state" in err.value.message


def test_begin_on_create_names_the_fix_for_a_record_built_active():
    rec = Rec(status="ACTIVE")
    with pytest.raises(RuntimeError, match="build new records with status='CREATE PENDING'"):
        lc.begin(rec, "create")
    assert rec.status == "ACTIVE"
