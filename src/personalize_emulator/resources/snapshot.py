"""The control plane's state as one JSON file (``state.json``), written atomically and read back.

What is saved. For every store: ``records[kind][arn]`` (the dataclass records), ``tags``, and
the real-time buffers of put events (``store.blobs["realtime:..."]``: filters and session
recommendations read events put since the last import from there, not from the table).
Nothing else of ``store.blobs`` is saved: models are loaded again from ``model_dir`` on first
use (``models.get``) and table caches are rebuilt. Imported tables and trained models already
live on disk under the data directory, at paths derived from ARNs and creation times, so a
restored record finds its data again.

The codec is explicit, never pickle. A JSON object in the file is always a tagged value:

* ``{"$record": "<class name>", "fields": {...}}`` -- a dataclass from the allow-list
  :data:`RECORD_MODULES` (every dataclass defined in those modules; nothing else is ever
  looked up or imported by a name read from the file);
* ``{"$datetime": "<ISO 8601>"}``, ``{"$tuple": [...]}``, ``{"$dict": {...}}`` (string keys)
  and ``{"$pairs": [[key, value], ...]}`` (any other keys, e.g. a metric attribution's
  ``(metric, source)`` totals).

JSON lists, strings, numbers, booleans and null stand for themselves. A field added to a record
class since the file was written takes its default; a field the class no longer has is dropped.

Reading is strict: a file that is not JSON, not ours, of a newer format version, or naming an
unknown record class raises :class:`SnapshotError` -- the server refuses to start rather than
start empty and overwrite the user's state.

Jobs cannot resume after a restart (their threads are gone), so :func:`load` settles every
resource that was mid-flight: creates become ``CREATE FAILED`` (a stop in progress becomes
``CREATE STOPPED``), interrupted updates of campaigns, recommenders, solutions and datasets are
marked ``CREATE FAILED`` on their ``latest_update`` while the old version keeps serving, stops
and starts go back to where they came from, data deletion jobs become ``FAILED``, and deletes
are finished. :func:`restore` then installs the state into a store and removes what those
finished deletes and failed jobs left on disk.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import numbers
import operator
import os
import shutil
import tempfile
from collections import OrderedDict, deque
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

from .. import config
from . import (
    batch_records,
    clock,
    datastore,
    lifecycle,
    models,
    pipeline_records,
    realtime,
    realtime_records,
    records,
)
from .providers import dataset_groups, preview_common
from .store import Store

log = logging.getLogger("personalize_emulator")

FORMAT = "personalize-emulator-state"
VERSION = 1
STATE_FILE = "state.json"

RESTART = "Interrupted by an emulator restart; {} again."
CREATE_AGAIN = RESTART.format("create it")

#: The modules whose dataclasses may be saved and loaded; nothing else is ever instantiated.
RECORD_MODULES: tuple[ModuleType, ...] = (
    records,
    pipeline_records,
    realtime_records,
    batch_records,
    preview_common,
)

REALTIME_PREFIX = "realtime:"


class SnapshotError(Exception):
    """The state file cannot be written or read; the message says which and why."""


# --------------------------------------------------------------------------- the codec


def _record_classes() -> dict[str, type]:
    classes: dict[str, type] = {}
    for module in RECORD_MODULES:
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and dataclasses.is_dataclass(value)
                and value.__module__ == module.__name__
            ):
                name = value.__qualname__
                if name in classes and classes[name] is not value:
                    raise RuntimeError(f"two record classes named {name}: tags would collide")
                classes[name] = value
    return classes


CLASSES: dict[str, type] = _record_classes()
_TAGS: dict[type, str] = {cls: name for name, cls in CLASSES.items()}


def encode(value: Any) -> Any:
    """A JSON-ready form of ``value`` (see the module docstring); raises SnapshotError."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        tag = _TAGS.get(type(value))
        if tag is None:
            raise SnapshotError(
                f"cannot save a {type(value).__module__}.{type(value).__qualname__}: it is not"
                f" a record class of {', '.join(m.__name__ for m in RECORD_MODULES)}"
            )
        return {
            "$record": tag,
            "fields": {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)},
        }
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, tuple):
        return {"$tuple": [encode(v) for v in value]}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {"$dict": {k: encode(v) for k, v in value.items()}}
        return {"$pairs": [[encode(k), encode(v)] for k, v in value.items()]}
    raise SnapshotError(f"cannot save a value of type {type(value).__qualname__}: {value!r:.80}")


def decode(data: Any) -> Any:
    """The Python value :func:`encode` made ``data`` from; raises SnapshotError."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "$record" in data:
        return _decode_record(data)
    if len(data) != 1:
        raise SnapshotError(f"untagged JSON object with keys {sorted(data)[:5]}")
    ((tag, body),) = data.items()
    if tag == "$datetime":
        if not isinstance(body, str):
            raise SnapshotError(f"$datetime needs an ISO 8601 string, not {body!r:.60}")
        try:
            return datetime.fromisoformat(body)
        except ValueError as exc:
            raise SnapshotError(f"bad $datetime {body!r:.60}: {exc}") from None
    if tag == "$tuple" and isinstance(body, list):
        return tuple(decode(v) for v in body)
    if tag == "$dict" and isinstance(body, dict):
        return {k: decode(v) for k, v in body.items()}
    if tag == "$pairs" and isinstance(body, list):
        try:
            return {_hashable(decode(k)): decode(v) for k, v in body}
        except (TypeError, ValueError):
            raise SnapshotError("$pairs needs a list of [key, value] pairs") from None
    raise SnapshotError(f"unknown or malformed value tag {tag!r}")


def _hashable(key: Any) -> Any:
    hash(key)
    return key


def _decode_record(data: dict[str, Any]) -> Any:
    tag, values = data.get("$record"), data.get("fields")
    if set(data) != {"$record", "fields"} or not isinstance(values, dict):
        raise SnapshotError(f"malformed record {str(data)[:80]}")
    cls = CLASSES.get(tag) if isinstance(tag, str) else None
    if cls is None:
        raise SnapshotError(
            f"unknown record class {tag!r}; this personalize-emulator knows"
            f" {', '.join(sorted(CLASSES))}"
        )
    known = {f.name: f for f in dataclasses.fields(cls)}
    dropped = sorted(set(values) - set(known))
    if dropped:
        log.warning("state file: %s no longer has field(s) %s; dropped", tag, ", ".join(dropped))
    init = {k: decode(v) for k, v in values.items() if k in known and known[k].init}
    try:
        obj = cls(**init)
    except TypeError as exc:
        raise SnapshotError(f"cannot rebuild a {tag}: {exc}") from None
    for name, value in values.items():
        if name in known and not known[name].init:
            object.__setattr__(obj, name, decode(value))
    return obj


# --------------------------------------------------------------------------- realtime buffers

_EVENT_COLUMNS = tuple(f.name for f in dataclasses.fields(realtime.BufferedEvent))
_event_row = operator.attrgetter(*_EVENT_COLUMNS)


def _encode_buffer(buffer: realtime.RealtimeBuffer) -> dict[str, Any]:
    """A buffer as plain JSON: events once each (as rows), the indexes as sequence numbers.

    Event members are str / float / int / None, and the de-duplication keys nested tuples of
    strings (JSON lists, turned back into tuples on load), so no per-value tagging is needed:
    buffers hold up to hundreds of thousands of entries.
    """
    with buffer.lock:
        events: dict[int, realtime.BufferedEvent] = {}
        for index in (buffer.by_user, buffer.by_session):
            for queue in index.values():
                events.update((e.seq, e) for e in queue)
        return {
            "columns": list(_EVENT_COLUMNS),
            "events": [_event_row(events[seq]) for seq in sorted(events)],
            "by_user": {k: [e.seq for e in q] for k, q in buffer.by_user.items()},
            "by_session": {k: [e.seq for e in q] for k, q in buffer.by_session.items()},
            "seen_ids": list(buffer.seen_ids),
            "seen_content": list(buffer.seen_content),
            "next_seq": buffer.next_seq,
        }


def _tupled(value: Any) -> Any:
    return tuple(_tupled(v) for v in value) if isinstance(value, list) else value


def _decode_buffer(data: dict[str, Any]) -> realtime.RealtimeBuffer:
    try:
        columns = data["columns"]
        known = set(_EVENT_COLUMNS)
        events = {}
        for row in data["events"]:
            values = {c: v for c, v in zip(columns, row, strict=True) if c in known}
            event = realtime.BufferedEvent(**values)
            events[event.seq] = event

        def index(raw: dict[str, list[int]]) -> dict[str, deque]:
            return {
                key: deque((events[s] for s in seqs), maxlen=realtime.MAX_EVENTS_PER_KEY)
                for key, seqs in raw.items()
            }

        return realtime.RealtimeBuffer(
            by_user=index(data["by_user"]),
            by_session=index(data["by_session"]),
            seen_ids=OrderedDict.fromkeys(data["seen_ids"]),
            seen_content=OrderedDict.fromkeys(_tupled(c) for c in data["seen_content"]),
            next_seq=int(data["next_seq"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise SnapshotError(
            f"malformed real-time event buffer ({type(exc).__name__}: {exc})"
        ) from None


# --------------------------------------------------------------------------- stores


def encode_store(store: Store) -> dict[str, Any] | None:
    """One store as a JSON-ready dict (None when it holds nothing).

    Records and tags are encoded under ``store.lock``; event buffers afterwards, each under its
    own lock, so a large buffer does not hold up every request of the store.
    """
    with store.lock:
        kinds = {
            kind: {arn: encode(record) for arn, record in by_arn.items()}
            for kind, by_arn in store.records.items()
            if by_arn
        }
        tags = {arn: dict(t) for arn, t in store.tags.items() if t}
        buffers = [
            (key, blob)
            for key, blob in store.blobs.items()
            if key.startswith(REALTIME_PREFIX) and isinstance(blob, realtime.RealtimeBuffer)
        ]
    if not kinds and not tags:
        return None
    return {
        "account": store.account_id,
        "region": store.region,
        "records": kinds,
        "tags": tags,
        "realtime": {key: _encode_buffer(buffer) for key, buffer in buffers},
    }


def _refuse(value: Any) -> Any:
    raise SnapshotError(f"cannot save a value of type {type(value).__qualname__}: {value!r:.80}")


def dumps(stores: Iterable[Store]) -> str:
    """The text of a state file holding ``stores``."""
    encoded = [e for e in (encode_store(s) for s in stores) if e is not None]
    data_dir = config.current().data_dir
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "saved": datetime.now(timezone.utc).isoformat(),
        # the emulated clock's lead over real time: due times saved on records were set on it
        "clock_offset_seconds": clock.offset().total_seconds(),
        "data_dir": None if data_dir is None else str(Path(data_dir).resolve()),
        "stores": encoded,
    }
    # Compact: event buffers can be large. ``python -m json.tool state.json`` to read it.
    return json.dumps(payload, separators=(",", ":"), default=_refuse)


def save(stores: Iterable[Store], path: Path | str) -> None:
    """Write the stores' state to ``path`` atomically: readers see the old file or the new."""
    write_atomic(Path(path), dumps(stores))


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


@dataclasses.dataclass
class StoreState:
    """One (account, region) as read from the file, settled by :func:`load`."""

    account: str
    region: str
    records: dict[str, dict[str, Any]]
    tags: dict[str, dict[str, str]]
    realtime: dict[str, realtime.RealtimeBuffer] = dataclasses.field(default_factory=dict)
    #: ARNs whose job the restart interrupted (now failed, stopped or back where they were).
    interrupted: list[str] = dataclasses.field(default_factory=list)
    #: ``(kind, record)`` removed by finishing an interrupted delete; :func:`restore` cleans
    #: their files.
    removed: list[tuple[str, Any]] = dataclasses.field(default_factory=list)
    #: The data directory the file was written under (model paths are absolute).
    saved_root: str | None = None
    #: The emulated clock's offset when the file was written (the same in every store).
    clock_offset: timedelta = timedelta(0)


def load(path: Path | str) -> dict[tuple[str, str], StoreState]:
    """The state saved at ``path``, keyed by (account, region); {} when there is no file.

    Raises SnapshotError, naming the file and the problem, for anything but a state file this
    version can read. In-flight resources come back settled (module docstring).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise SnapshotError(f"cannot read the saved state {path}: {exc}") from None
    advice = "Nothing was loaded or changed; repair or move the file, or use another --data-dir."
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotError(
            f"the saved state {path} is not valid JSON (line {exc.lineno} column {exc.colno}:"
            f" {exc.msg}). {advice}"
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise SnapshotError(f"{path} is not a personalize-emulator state file. {advice}")
    version = payload.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SnapshotError(f"{path} has no valid format version ({version!r}). {advice}")
    if version > VERSION:
        raise SnapshotError(
            f"{path} was written by a newer personalize-emulator (state format version"
            f" {version}; this one reads up to {VERSION}). Upgrade personalize-emulator. {advice}"
        )
    states: dict[tuple[str, str], StoreState] = {}
    for raw in payload.get("stores") or []:
        try:
            state = _decode_state(raw)
        except SnapshotError as exc:
            where = f"{raw.get('account')}/{raw.get('region')}" if isinstance(raw, dict) else "?"
            raise SnapshotError(f"{path}: store {where}: {exc}. {advice}") from None
        settle(state)
        saved_root = payload.get("data_dir")
        state.saved_root = saved_root if isinstance(saved_root, str) else None
        state.clock_offset = _clock_offset(payload.get("clock_offset_seconds"))
        states[(state.account, state.region)] = state
    return states


def _clock_offset(raw: Any) -> timedelta:
    """The saved clock offset; files from before the clock have none (zero)."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or raw < 0:
        return timedelta(0)
    return timedelta(seconds=float(raw))


def _decode_state(raw: Any) -> StoreState:
    if not isinstance(raw, dict) or not isinstance(raw.get("records"), dict):
        raise SnapshotError("malformed store entry")
    kinds: dict[str, dict[str, Any]] = {}
    for kind, by_arn in raw["records"].items():
        kinds[kind] = {}
        for arn, data in by_arn.items():
            try:
                kinds[kind][arn] = decode(data)
            except SnapshotError as exc:
                raise SnapshotError(f"{kind} {arn}: {exc}") from None
    tags = raw.get("tags") or {}
    if not all(isinstance(t, dict) for t in tags.values()):
        raise SnapshotError("malformed tags")
    buffers = {key: _decode_buffer(b) for key, b in (raw.get("realtime") or {}).items()}
    return StoreState(str(raw["account"]), str(raw["region"]), kinds, tags, buffers)


# --------------------------------------------------------------------------- settling


_FAIL_CREATE = {lifecycle.CREATE_PENDING, lifecycle.CREATE_IN_PROGRESS, None}
_BACK = {  # interrupted status -> (where it goes, the advice in failureReason)
    lifecycle.UPDATE_PENDING: (lifecycle.ACTIVE, RESTART.format("update it")),
    lifecycle.UPDATE_IN_PROGRESS: (lifecycle.ACTIVE, RESTART.format("update it")),
    lifecycle.STOP_PENDING: (lifecycle.ACTIVE, RESTART.format("stop it")),
    lifecycle.STOP_IN_PROGRESS: (lifecycle.ACTIVE, RESTART.format("stop it")),
    lifecycle.START_PENDING: (lifecycle.INACTIVE, RESTART.format("start it")),
    lifecycle.START_IN_PROGRESS: (lifecycle.INACTIVE, RESTART.format("start it")),
    lifecycle.PENDING: (lifecycle.FAILED, CREATE_AGAIN),  # data deletion jobs
    lifecycle.IN_PROGRESS: (lifecycle.FAILED, CREATE_AGAIN),
}
_DELETING = {lifecycle.DELETE_PENDING, lifecycle.DELETE_IN_PROGRESS}


def _settle_target(target: Any, status: str, reason: str | None) -> None:
    target.status = status
    target.failure_reason = reason
    lifecycle.stamp(target)


def settle(state: StoreState) -> None:
    """Put every resource whose job a restart interrupted into the state it can stay in."""
    for kind, by_arn in state.records.items():
        for arn, record in list(by_arn.items()):
            if not hasattr(record, "status"):
                continue
            status, interrupted = record.status, True
            update = getattr(record, "latest_update", None)
            if status in _DELETING:
                _finish_delete(state, kind, arn)
            elif status in _FAIL_CREATE:
                _settle_target(record, lifecycle.CREATE_FAILED, CREATE_AGAIN)
            elif status == lifecycle.CREATE_STOPPING:
                _settle_target(record, lifecycle.CREATE_STOPPED, None)
            elif status in _BACK:
                _settle_target(record, *_BACK[status])
            elif update is not None and lifecycle.is_in_progress(update.status):
                # The old configuration / version keeps serving, as after a failed update.
                _settle_target(update, lifecycle.CREATE_FAILED, RESTART.format("update it"))
            else:
                interrupted = False
            if interrupted:
                state.interrupted.append(arn)


def _finish_delete(state: StoreState, kind: str, arn: str) -> None:
    """What the delete's job would have done to the records (files go in :func:`restore`)."""
    record = state.records[kind].pop(arn, None)
    state.tags.pop(arn, None)
    state.records.get(preview_common.EXTRAS, {}).pop(arn, None)
    if record is None:
        return
    state.removed.append((kind, record))
    dependents: list[tuple[str, str]] = []
    if kind == "dataset-group":
        dependents = [
            (k, a)
            for k in dataset_groups.DEPENDENTS
            for a, r in state.records.get(k, {}).items()
            if getattr(r, "dataset_group_arn", None) == arn
        ]
    elif kind == "solution":
        dependents = [
            ("solution-version", a)
            for a, r in state.records.get("solution-version", {}).items()
            if r.solution_arn == arn
        ]
    for dep_kind, dep_arn in dependents:
        _finish_delete(state, dep_kind, dep_arn)


# --------------------------------------------------------------------------- restoring


def restore(store: Store, state: StoreState) -> None:
    """Install ``state`` in ``store`` (replacing what it holds) and tidy the data directory."""
    with store.lock:
        store.records.clear()
        for kind, by_arn in state.records.items():
            if by_arn:
                store.records[kind].update(by_arn)
        store.tags.clear()
        store.tags.update({arn: dict(t) for arn, t in state.tags.items()})
        store.blobs.clear()
        # A buffer belongs to one dataset incarnation (ARN and creation time): keep those whose
        # dataset is still there.
        live = {realtime._buffer_key(d) for d in store.records.get("dataset", {}).values()}
        for key, buffer in state.realtime.items():
            if key in live:
                store.blobs[key] = buffer
    _follow_moved_data_dir(store, state.saved_root)
    datastore.store_dir(store)  # arms the reset hook that wipes this store's files
    for kind, record in state.removed:
        _remove_files(store, kind, record)
    interrupted = set(state.interrupted)
    for version in store.records.get("solution-version", {}).values():
        if version.arn in interrupted and not version.model_dir:  # a half-written model
            shutil.rmtree(datastore.model_dir(store, version), ignore_errors=True)
    for dataset in store.records.get("dataset", {}).values():
        # No import can be running at startup: staged files are leftovers of interrupted ones.
        shutil.rmtree(datastore.dataset_dir(store, dataset) / "staging", ignore_errors=True)


def _follow_moved_data_dir(store: Store, saved_root: str | None) -> None:
    """Models are recorded by absolute path: rebase them when the directory was moved."""
    root = datastore.root().resolve()
    if saved_root is None or Path(saved_root) == root:
        return
    for kind in ("solution-version", "recommender"):
        for record in store.records.get(kind, {}).values():
            if record.model_dir:
                with contextlib.suppress(ValueError):  # not under the old root: leave it
                    relative = Path(record.model_dir).relative_to(saved_root)
                    record.model_dir = str(root / relative)


def _remove_files(store: Store, kind: str, record: Any) -> None:
    if kind == "dataset":
        datastore.drop_table(store, record)
    elif kind in ("solution-version", "recommender"):
        models.forget(store, record)
