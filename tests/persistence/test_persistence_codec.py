"""The snapshot codec: every record class round-trips through JSON; nothing else gets in.

The sample of each record is built from the class's type hints, so a new record class (or a
new field) whose type the codec cannot carry fails here rather than at a user's restart.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import pkgutil
import types
import typing
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import personalize_emulator.resources as resources_pkg
from personalize_emulator.resources import records, snapshot
from personalize_emulator.resources.snapshot import SnapshotError, decode, encode

WHEN = datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=timezone.utc)
ANY_SAMPLE = {"nested": [1, 2.5, "s", None, True, {"at": WHEN}], "pair": ("a", 1)}


def _all_resource_modules() -> list[types.ModuleType]:
    found = []
    for info in pkgutil.walk_packages(resources_pkg.__path__, resources_pkg.__name__ + "."):
        found.append(importlib.import_module(info.name))
    return found


def _sample(hint: Any, where: str) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        real = [a for a in args if a is not type(None)]
        return _sample(real[0], where)
    if hint is Any:
        return ANY_SAMPLE
    if hint is str:
        return f"value-of-{where}"
    if hint is bool:
        return True
    if hint is int:
        return 7
    if hint is float:
        return 0.1 + 0.2  # not exactly representable in decimal: repr must round-trip
    if hint is datetime:
        return WHEN
    if dataclasses.is_dataclass(hint):
        return _instance(hint)
    if origin is list:
        return [_sample(args[0], where), _sample(args[0], where)]
    if origin is tuple:
        return tuple(_sample(a, where) for a in args)
    if origin is dict:
        key = _sample(args[0], f"{where}-key")
        return {key: _sample(args[1], where)}
    pytest.fail(f"no sample for {where}: {hint!r}; teach the codec (and this test) the type")


def _instance(cls: type) -> Any:
    hints = typing.get_type_hints(cls)
    values = {
        f.name: _sample(hints[f.name], f"{cls.__name__}.{f.name}")
        for f in dataclasses.fields(cls)
        if f.init
    }
    return cls(**values)


def _round_trip(value: Any) -> Any:
    return decode(json.loads(json.dumps(encode(value))))


def test_every_dataclass_of_the_record_modules_is_known_to_the_codec():
    for module in (*snapshot.RECORD_MODULES, records):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and dataclasses.is_dataclass(value)
                and value.__module__ == module.__name__
            ):
                assert snapshot.CLASSES.get(value.__qualname__) is value


def test_every_record_class_anywhere_in_resources_is_in_the_allow_list():
    """A Record subclass defined in a new module must be added to RECORD_MODULES."""
    missing = []
    for module in _all_resource_modules():
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, records.Record)
                and value.__module__ == module.__name__
                and snapshot.CLASSES.get(value.__qualname__) is not value
            ):
                missing.append(f"{module.__name__}.{value.__qualname__}")
    assert not missing


@pytest.mark.parametrize("name", sorted(snapshot.CLASSES))
def test_record_class_round_trips_through_json(name):
    cls = snapshot.CLASSES[name]
    original = _instance(cls)
    restored = _round_trip(original)
    assert type(restored) is cls
    assert restored == original
    for f in dataclasses.fields(cls):
        assert type(getattr(restored, f.name)) is type(getattr(original, f.name)), f.name


def test_values_keep_their_python_types():
    value = {
        "when": WHEN,
        "naive": datetime(2020, 5, 6, 7, 8, 9),
        "offset": datetime(2020, 1, 1, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        "pairs": {("metric", "source"): 1.5, ("metric", "other"): 2.0},
        "ints": {1: "one"},
        "tuple": ("a", ("b", 2)),
        "list": [1, [2, None]],
        "nan-free floats": [1e-300, 1.7976931348623157e308, -0.0],
        "looks tagged": {"$datetime": "not a date"},
    }
    assert _round_trip(value) == value
    assert _round_trip(value)["offset"].utcoffset() == timedelta(hours=5, minutes=30)
    assert _round_trip(value)["naive"].tzinfo is None


def test_numpy_numbers_are_saved_as_python_numbers():
    np = pytest.importorskip("numpy")
    assert _round_trip({"ndcg": np.float64(0.25), "n": np.int64(3)}) == {"ndcg": 0.25, "n": 3}


def test_unknown_values_are_refused_when_saving():
    @dataclasses.dataclass
    class Stranger:
        x: int = 1

    with pytest.raises(SnapshotError, match="not a record class"):
        encode({"a": Stranger()})
    with pytest.raises(SnapshotError, match="set"):
        encode({"a": {1, 2}})


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"$record": "Store", "fields": {}}, "unknown record class 'Store'"),
        ({"$record": "os.system", "fields": {"command": "true"}}, "unknown record class"),
        ({"$record": "SchemaRecord"}, "malformed record"),
        ({"$pickle": "gASVAAAA"}, "unknown or malformed value tag"),
        ({"a": 1, "b": 2}, "untagged JSON object"),
        ({"$datetime": "yesterday"}, "bad \\$datetime"),
        ({"$pairs": [[1]]}, "\\$pairs"),
        ({"$record": "SchemaRecord", "fields": {"arn": "a"}}, "cannot rebuild a SchemaRecord"),
    ],
)
def test_decoding_refuses_anything_but_known_tags(payload, message):
    with pytest.raises(SnapshotError, match=message):
        decode(payload)


def test_fields_added_later_take_their_default_and_removed_ones_are_dropped():
    data = encode(records.DatasetGroupRecord(arn="arn:g", name="g", created=WHEN))
    del data["fields"]["kms_key_arn"]
    data["fields"]["retired_member"] = "old"
    restored = decode(data)
    assert restored.kms_key_arn is None
    assert not hasattr(restored, "retired_member")
    assert restored.created == WHEN
