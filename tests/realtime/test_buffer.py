"""The real-time buffer on its own: ordering, caps, sessions, forgetting users."""

from __future__ import annotations

from personalize_emulator.resources import realtime
from personalize_emulator.resources.realtime import BufferedEvent, RealtimeBuffer


def ev(user: str, session: str, item: str, ts: float, received: float = 0.0, kind="item"):
    return BufferedEvent(user_key=user, session_id=session, target_id=item, timestamp=ts,
                         event_type="click", event_value=None, received=received, kind=kind)  # fmt: skip


def test_select_orders_by_sent_time_then_arrival():
    buffer = RealtimeBuffer()
    buffer.add([ev("u", "s", "late", 20), ev("u", "s", "early", 10), ev("u", "s", "tie", 20)])
    assert [e.target_id for e in buffer.select("u", None, "item", None)] == ["early", "late", "tie"]
    assert buffer.select("u", None, "action", None) == []


def test_user_and_session_union_and_since():
    buffer = RealtimeBuffer()
    buffer.add([ev("u", "s1", "a", 1, received=100), ev("s2", "s2", "b", 2, received=200),
                ev("u", "s2", "c", 3, received=300)])  # fmt: skip
    assert [e.target_id for e in buffer.select("u", "s2", "item", None)] == ["a", "b", "c"]
    assert [e.target_id for e in buffer.select(None, "s2", "item", 250.0)] == ["c"]


def test_cap_keeps_newest_per_key():
    buffer = RealtimeBuffer()
    n = realtime.MAX_EVENTS_PER_KEY + 5
    buffer.add(ev("u", "s", f"i{k}", k) for k in range(n))
    kept = buffer.select("u", None, "item", None)
    assert len(kept) == realtime.MAX_EVENTS_PER_KEY
    assert kept[0].target_id == "i5" and kept[-1].target_id == f"i{n - 1}"


def test_remove_users_cleans_both_indexes():
    buffer = RealtimeBuffer()
    buffer.add([ev("gone", "shared", "a", 1), ev("stay", "shared", "b", 2), ev("gone", "x", "c", 3)])
    assert buffer.remove_users({"gone", "never-seen"}) == 2
    assert [e.target_id for e in buffer.select(None, "shared", "item", None)] == ["b"]
    assert buffer.select(None, "x", "item", None) == []
    assert buffer.select("gone", None, "item", None) == []


def test_duplicate_memory_is_bounded(monkeypatch):
    monkeypatch.setattr(realtime, "MAX_REMEMBERED_EVENTS", 2)
    buffer = RealtimeBuffer()
    for k in range(3):
        buffer.remember(f"id{k}", ("content", k))
    assert not buffer.is_duplicate("id0", ("content", 0))
    assert buffer.is_duplicate("id2", ("other",)) and buffer.is_duplicate(None, ("content", 1))
