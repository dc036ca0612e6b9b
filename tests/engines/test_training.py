import numpy as np
import pandas as pd
import pytest

from personalize_emulator.engines.artifacts import load_model, save_json
from personalize_emulator.engines.base import EngineError, FitOptions
from personalize_emulator.engines.dataset import TrainingData
from personalize_emulator.engines.training import (
    filter_item_counts,
    prepare_interactions,
    restrict_event_types,
    trim_user_histories,
)
from personalize_emulator.engines.vocab import Vocabulary


def _frame():
    rows = []
    for u, n in (("a", 1), ("b", 4), ("c", 10)):
        for k in range(n):
            rows.append((u, f"i{k}", 100 + k, "Click" if k % 2 else "purchase", float(k)))
    return pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE",
                                       "EVENT_VALUE"])


def test_event_type_and_threshold_filters():
    data = TrainingData(interactions=_frame())
    out = prepare_interactions(data, FitOptions(event_type="click"))
    assert set(out["EVENT_TYPE"]) == {"Click"}
    out = prepare_interactions(data, FitOptions(event_value_threshold=3.0))
    assert out["EVENT_VALUE"].min() >= 3.0
    assert list(out["TIMESTAMP"]) == sorted(out["TIMESTAMP"])
    with pytest.raises(EngineError, match="No interactions are left"):
        prepare_interactions(data, FitOptions(event_type="watch"))
    scoped = restrict_event_types(data, ["PURCHASE"])
    assert set(scoped.interactions["EVENT_TYPE"]) == {"purchase"}


def test_events_without_a_value_are_legal():
    frame = _frame()
    frame["EVENT_VALUE"] = frame["EVENT_VALUE"].astype(object)
    frame.loc[1, "EVENT_VALUE"] = None
    frame.loc[2, "EVENT_VALUE"] = np.nan
    frame.loc[3, "EVENT_VALUE"] = ""
    out = prepare_interactions(TrainingData(interactions=frame), FitOptions())
    assert len(out) == len(frame)
    assert out["EVENT_VALUE"].dtype == np.float64
    assert int(out["EVENT_VALUE"].isna().sum()) == 3


def test_threshold_drops_events_without_a_value():
    frame = _frame()
    no_value = (frame["USER_ID"] == "c") & (frame["EVENT_VALUE"] >= 5)
    frame.loc[no_value, "EVENT_VALUE"] = np.nan
    out = prepare_interactions(TrainingData(interactions=frame),
                               FitOptions(event_value_threshold=1.0))
    # events without a value do not meet the threshold; b's and c's 1..3 / 1..4 do
    assert not out["EVENT_VALUE"].isna().any()
    assert sorted(out["EVENT_VALUE"]) == [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0]
    # without a threshold every event is kept
    assert len(prepare_interactions(TrainingData(interactions=frame), FitOptions())) == len(frame)


@pytest.mark.parametrize("value, rule", [("high", "not a number"), (np.inf, "infinite"),
                                         (-np.inf, "infinite")])
def test_present_event_values_must_be_finite_numbers(value, rule):
    frame = _frame()
    frame["EVENT_VALUE"] = frame["EVENT_VALUE"].astype(object)
    frame.loc[4, "EVENT_VALUE"] = value
    with pytest.raises(EngineError, match=f"row 4 has an invalid EVENT_VALUE.*{rule}"):
        prepare_interactions(TrainingData(interactions=frame), FitOptions())


def test_bad_rows_are_named():
    frame = _frame()
    frame["TIMESTAMP"] = frame["TIMESTAMP"].astype(object)
    frame.loc[2, "TIMESTAMP"] = "soon"
    with pytest.raises(EngineError, match="row 2 has an invalid TIMESTAMP"):
        prepare_interactions(TrainingData(interactions=frame), FitOptions())
    with pytest.raises(EngineError, match="USER_ID"):
        prepare_interactions(TrainingData(interactions=_frame().drop(columns="USER_ID")),
                             FitOptions())


def test_percentile_trimming():
    frame = prepare_interactions(TrainingData(interactions=_frame()), FitOptions())
    trimmed = trim_user_histories(frame, 0.4, 1.0)
    assert "a" not in set(trimmed["USER_ID"])
    capped = trim_user_histories(frame, 0.0, 0.5)
    per_user = capped.groupby("USER_ID").size()
    assert per_user["c"] == 4 and per_user["a"] == 1
    # the most recent events are kept
    assert capped[capped["USER_ID"] == "c"]["TIMESTAMP"].min() == 106
    assert len(filter_item_counts(frame, 0.0, 0.5)) < len(frame)


def test_vocabulary_is_order_independent_and_round_trips():
    v = Vocabulary(["b", "a", "c", "a"])
    assert v.ids == ["a", "b", "c"] and len(v) == 3
    assert list(v.indices(["c", "zz"])) == [2, -1]
    assert Vocabulary.from_array(v.to_array()).ids == v.ids


def test_load_model_refuses_foreign_classes(tmp_path):
    save_json(tmp_path, "engine", {"model_class": "os:system"})
    with pytest.raises(EngineError, match="outside the engines"):
        load_model(tmp_path)


def test_vocabulary_indices_match_ids_and_mark_unknown():
    import numpy as np

    from personalize_emulator.engines.vocab import Vocabulary

    vocab = Vocabulary(["b", "a", "10", "2"])
    assert vocab.ids == ["10", "2", "a", "b"]
    got = vocab.indices(["a", "zz", 10, np.str_("b"), "2"])
    assert got.dtype == np.int64
    assert got.tolist() == [2, -1, 0, 3, 1]
    assert vocab.indices([]).tolist() == []
    assert Vocabulary.from_array(vocab.to_array()).indices(np.array(["b"])).tolist() == [3]
