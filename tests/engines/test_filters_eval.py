"""Filter evaluation: each clause keeps or removes exactly what it names, on a hand-made
catalogue, users and actions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from personalize_emulator.engines.filters import (
    RECENT_INTERACTIONS_PER_EVENT_TYPE,
    FilterContext,
    FilterError,
    parse_filter,
)

ITEMS = pd.DataFrame(
    {
        "GENRES": ["Comedy|Drama", "Drama", "Horror|Thriller", "Comedy", None, "Sci-Fi, Fantasy"],
        "STUDIO": ["acme", "acme", "boss", "boss", "cine", "acme"],
        "PRICE": [5.0, 15.0, 25.0, 35.0, np.nan, 45.0],
        "CREATION_TIMESTAMP": [1000, 2000, 3000, 4000, 5000, 6000],
    },
    index=pd.Index(["i1", "i2", "i3", "i4", "i5", "i6"], name="ITEM_ID"),
)
ALL_ITEMS = list(ITEMS.index)

USERS = pd.DataFrame(
    {"AGE": [25, 40, np.nan], "TIER": ["gold", "silver", "gold|vip"]},
    index=pd.Index(["u1", "u2", "u3"], name="USER_ID"),
)

ACTIONS = pd.DataFrame(
    {"LEVEL": ["Gold", "Silver", "Gold"], "VALUE": [10, 20, 30]},
    index=pd.Index(["a1", "a2", "a3"], name="ACTION_ID"),
)

U1_EVENTS = [("i1", "click", 10), ("i2", "purchase", 20), ("i3", "Click", 30)]


def kept(expression: str, candidates=ALL_ITEMS, **context) -> list[str]:
    context.setdefault("items", ITEMS)
    context.setdefault("users", USERS)
    context.setdefault("actions", ACTIONS)
    mask = parse_filter(expression).mask(candidates, FilterContext(**context))
    assert mask.dtype == bool and mask.shape == (len(candidates),)
    return [c for c, keep in zip(candidates, mask, strict=True) if keep]


# ------------------------------------------------------------------ IN / NOT IN on items


def test_in_matches_any_value_of_a_multi_valued_cell():
    assert kept('INCLUDE ItemID WHERE Items.GENRES IN ("Comedy")') == ["i1", "i4"]
    assert kept('INCLUDE ItemID WHERE Items.GENRES IN ("Drama", "Thriller")') == ["i1", "i2", "i3"]
    assert kept('EXCLUDE ItemID WHERE Items.GENRES IN ("Comedy")') == ["i2", "i3", "i5", "i6"]


def test_in_is_exact_and_case_sensitive():
    assert kept('INCLUDE ItemID WHERE Items.GENRES IN ("comedy")') == []
    assert kept('INCLUDE ItemID WHERE Items.GENRES IN ("Com")') == []
    assert kept('INCLUDE ItemID WHERE Items.STUDIO IN ("acme")') == ["i1", "i2", "i6"]


def test_not_in_keeps_rows_without_any_listed_value_including_empty_cells():
    assert kept('INCLUDE ItemID WHERE Items.GENRES NOT IN ("Comedy", "Horror")') == [
        "i2",
        "i5",
        "i6",
    ]
    assert kept('EXCLUDE ItemID WHERE Items.GENRES NOT IN ("Drama")') == ["i1", "i2"]


def test_value_containing_a_comma_is_one_value():
    assert kept('INCLUDE ItemID WHERE Items.GENRES IN ("Sci-Fi, Fantasy")') == ["i6"]


def test_in_on_a_numeric_column_compares_numbers():
    assert kept("INCLUDE ItemID WHERE Items.PRICE IN (5, 35)") == ["i1", "i4"]
    assert kept('INCLUDE ItemID WHERE Items.CREATION_TIMESTAMP IN ("2000")') == ["i2"]


def test_unknown_candidates_match_nothing_but_not_in():
    cands = ["i1", "zz"]
    assert kept('INCLUDE ItemID WHERE Items.STUDIO IN ("acme")', cands) == ["i1"]
    assert kept('INCLUDE ItemID WHERE Items.STUDIO NOT IN ("acme")', cands) == ["zz"]
    assert kept("INCLUDE ItemID WHERE Items.PRICE > 0", cands) == ["i1"]


def test_candidate_order_and_duplicates_are_respected():
    cands = ["i4", "i1", "i4", "i2"]
    assert kept('INCLUDE ItemID WHERE Items.GENRES IN ("Comedy")', cands) == ["i4", "i1", "i4"]


def test_string_kind_columns_are_not_split_when_kinds_are_known():
    items = ITEMS.assign(STUDIO=["a|b", "a", "b", "c", "d", "e"])
    expr = 'INCLUDE ItemID WHERE Items.STUDIO IN ("a")'
    assert kept(expr, items=items) == ["i1", "i2"]
    kinds = {"Items": {"STUDIO": "string", "GENRES": "categorical"}}
    assert kept(expr, items=items, field_kinds=kinds) == ["i2"]
    assert kept('INCLUDE ItemID WHERE Items.STUDIO IN ("a|b")', items=items, field_kinds=kinds) == [
        "i1"
    ]


def test_no_items_dataset_means_no_values():
    assert kept('INCLUDE ItemID WHERE Items.GENRES IN ("Drama")', items=None) == []
    assert kept('EXCLUDE ItemID WHERE Items.GENRES IN ("Drama")', items=None) == ALL_ITEMS


# -------------------------------------------------------------------- numeric comparisons


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("INCLUDE ItemID WHERE Items.PRICE < 15", ["i1"]),
        ("INCLUDE ItemID WHERE Items.PRICE <= 15", ["i1", "i2"]),
        ("INCLUDE ItemID WHERE Items.PRICE > 25", ["i4", "i6"]),
        ("INCLUDE ItemID WHERE Items.PRICE >= 25", ["i3", "i4", "i6"]),
        ("INCLUDE ItemID WHERE Items.PRICE = 25", ["i3"]),
        ("EXCLUDE ItemID WHERE Items.PRICE >= 25", ["i1", "i2", "i5"]),
        ("INCLUDE ItemID WHERE Items.CREATION_TIMESTAMP > 4000", ["i5", "i6"]),
        ("INCLUDE ItemID WHERE Items.CREATION_TIMESTAMP <= 1000.0", ["i1"]),
        ("INCLUDE ItemID WHERE Items.PRICE > -1e3 AND Items.PRICE < 1.5e1", ["i1"]),
    ],
)
def test_numeric_comparisons(expression, expected):
    assert kept(expression) == expected


def test_datetime_creation_timestamp_compares_in_epoch_seconds():
    items = ITEMS.assign(CREATION_TIMESTAMP=pd.to_datetime(ITEMS["CREATION_TIMESTAMP"], unit="s"))
    assert kept("INCLUDE ItemID WHERE Items.CREATION_TIMESTAMP >= 5000", items=items) == [
        "i5",
        "i6",
    ]


def test_numbers_stored_as_strings_still_compare():
    items = ITEMS.assign(PRICE=["5", "15", "25", "35", "", "45"])
    assert kept("INCLUDE ItemID WHERE Items.PRICE < 20", items=items) == ["i1", "i2"]


# ------------------------------------------------------------------------------ parameters


def test_parameter_with_one_value():
    expr = "INCLUDE ItemID WHERE Items.GENRES IN ($GENRE)"
    assert kept(expr, filter_values={"GENRE": '"Drama"'}) == ["i1", "i2"]


def test_parameter_with_several_values():
    expr = "INCLUDE ItemID WHERE Items.GENRES IN ($GENRE)"
    assert kept(expr, filter_values={"GENRE": '"Horror","Comedy"'}) == ["i1", "i3", "i4"]
    assert kept(expr, filter_values={"GENRE": '"Sci-Fi, Fantasy"'}) == ["i6"]


def test_parameter_names_are_case_sensitive_and_dollar_keys_tolerated():
    expr = "INCLUDE ItemID WHERE Items.GENRES IN ($GENRE)"
    with pytest.raises(FilterError, match=r"missing value for \$GENRE"):
        kept(expr, filter_values={"genre": '"Drama"'})
    assert kept(expr, filter_values={"$GENRE": '"Drama"'}) == ["i1", "i2"]


def test_numeric_parameter_in_comparison_bare_or_quoted():
    for raw in ("20", '"20"'):
        expr = "INCLUDE ItemID WHERE Items.PRICE < $MAX"
        assert kept(expr, filter_values={"MAX": raw}) == ["i1", "i2"]
        expr = "INCLUDE ActionID WHERE Actions.VALUE > ($V)"
        assert kept(expr, ["a1", "a2", "a3"], filter_values={"V": raw}) == ["a3"]


def test_comparison_parameter_needs_exactly_one_number():
    expr = "INCLUDE ItemID WHERE Items.PRICE < $MAX"
    with pytest.raises(FilterError, match=r"\$MAX .* exactly one number"):
        kept(expr, filter_values={"MAX": '"10","20"'})
    with pytest.raises(FilterError, match=r"\$MAX"):
        kept(expr, filter_values={"MAX": '"cheap"'})


def test_missing_parameter_of_an_include_expression_is_an_error():
    expr = 'INCLUDE ItemID WHERE Items.GENRES IN ($GENRE) AND Items.STUDIO IN ("acme")'
    with pytest.raises(FilterError, match=r"missing value for \$GENRE"):
        kept(expr)
    with pytest.raises(FilterError, match=r"missing value for \$GENRE"):
        kept(expr, filter_values={"GENRE": ""})


def test_missing_parameter_of_an_exclude_expression_skips_it():
    expr = (
        "EXCLUDE ItemID WHERE Items.GENRES IN ($GENRE) | "
        'EXCLUDE ItemID WHERE Items.STUDIO IN ("boss")'
    )
    assert kept(expr) == ["i1", "i2", "i5", "i6"]
    assert kept(expr, filter_values={"GENRE": '"Drama"'}) == ["i5", "i6"]


def test_bad_filter_values_are_errors():
    with pytest.raises(FilterError, match="must be double-quoted"):
        kept("INCLUDE ItemID WHERE Items.GENRES IN ($G)", filter_values={"G": "Drama"})


# ----------------------------------------------------------------------------- interactions


def test_interactions_event_type_is_case_insensitive():
    expr = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")'
    assert kept(expr, user_id="u1", user_interactions=U1_EVENTS) == ["i2", "i4", "i5", "i6"]
    expr = 'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("CLICK")'
    assert kept(expr, user_id="u1", user_interactions=U1_EVENTS) == ["i1", "i3"]


def test_interactions_wildcard_matches_every_event_type():
    for expr in (
        'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")',
        "INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (*)",
    ):
        assert kept(expr, user_id="u1", user_interactions=U1_EVENTS) == ["i1", "i2", "i3"]
    events = [("i4", None, 1)]  # no event type: only * matches it
    assert kept('INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")', user_interactions=events)
    assert not kept('INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("")', user_interactions=[])


def test_interactions_with_a_parameter_and_the_comma_quirk():
    expr = "EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ($EVENTS)"
    ctx = {"user_id": "u1", "user_interactions": U1_EVENTS}
    assert kept(expr, filter_values={"EVENTS": '"purchase"'}, **ctx) == [
        "i1",
        "i3",
        "i4",
        "i5",
        "i6",
    ]
    assert kept(expr, **ctx) == ALL_ITEMS  # missing value: exclude skipped
    quirk = 'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click, purchase")'
    assert kept(quirk, **ctx) == ["i1", "i2", "i3"]


def test_interactions_not_in_matches_items_seen_under_other_event_types():
    expr = 'INCLUDE ItemID WHERE Interactions.EVENT_TYPE NOT IN ("click")'
    assert kept(expr, user_interactions=U1_EVENTS) == ["i2"]


def test_interactions_of_no_user_match_nothing():
    expr = 'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")'
    assert kept(expr) == []
    assert kept(expr.replace("INCLUDE", "EXCLUDE")) == ALL_ITEMS


@dataclass
class Event:  # the shape of engines.base.SessionEvent
    item_id: str
    timestamp: float
    event_type: str | None = None


def test_interaction_objects_are_accepted():
    events = [Event("i5", 1.0, "watch"), Event("i6", 2.0, "click")]
    expr = 'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("watch")'
    assert kept(expr, user_interactions=events) == ["i5"]


def test_only_the_most_recent_interactions_per_event_type_count():
    n = RECENT_INTERACTIONS_PER_EVENT_TYPE
    catalogue = [f"x{k}" for k in range(n + 5)]
    # x0 is the oldest click; it falls out of the window, x0..x4 are all older than the rest
    events = [(f"x{k}", "click", 1000 + k) for k in range(n + 5)]
    events.append(("x1", "purchase", 1))  # another event type has its own window
    expr = 'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")'
    result = kept(expr, catalogue, items=None, user_interactions=events[::-1])
    assert result == catalogue[5:]
    expr = 'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")'
    assert kept(expr, catalogue, items=None, user_interactions=events) == ["x1", *catalogue[5:]]


# ----------------------------------------------------------------------------- CurrentItem


def test_current_item_membership():
    expr = "INCLUDE ItemID WHERE Items.GENRES IN CurrentItem.GENRES"
    assert kept(expr, current_item_id="i1") == ["i1", "i2", "i4"]
    assert kept(expr, current_item_id="i3") == ["i3"]
    expr = "EXCLUDE ItemID WHERE Items.STUDIO IN (CurrentItem.STUDIO)"
    assert kept(expr, current_item_id="i3") == ["i1", "i2", "i5", "i6"]


def test_current_item_comparison():
    expr = "INCLUDE ItemID WHERE Items.PRICE < CurrentItem.PRICE"
    assert kept(expr, current_item_id="i3") == ["i1", "i2"]
    assert kept(expr, current_item_id="i5") == []  # no price: nothing compares


def test_current_item_unknown_or_absent():
    expr = "INCLUDE ItemID WHERE Items.GENRES IN CurrentItem.GENRES"
    assert kept(expr, current_item_id="nope") == []
    with pytest.raises(FilterError, match="needs an itemId"):
        kept(expr)


# ----------------------------------------------------------------------------- CurrentUser


def test_if_current_user_applies_the_expression_only_when_it_holds():
    expr = 'EXCLUDE ItemID WHERE Items.GENRES IN ("Horror") IF CurrentUser.AGE > 30'
    assert kept(expr, user_id="u2") == ["i1", "i2", "i4", "i5", "i6"]  # 40 > 30
    assert kept(expr, user_id="u1") == ALL_ITEMS  # 25: expression skipped
    assert kept(expr, user_id="u3") == ALL_ITEMS  # no age
    assert kept(expr, user_id="stranger") == ALL_ITEMS
    assert kept(expr) == ALL_ITEMS


def test_include_with_a_failing_if_does_not_empty_the_list():
    expr = 'INCLUDE ItemID WHERE Items.GENRES IN ("Comedy") IF CurrentUser.AGE > 30'
    assert kept(expr, user_id="u2") == ["i1", "i4"]
    assert kept(expr, user_id="u1") == ALL_ITEMS


def test_if_chains_with_and_and_supports_in_and_parameters():
    expr = (
        'INCLUDE ItemID WHERE Items.STUDIO IN ("boss") '
        'IF CurrentUser.AGE >= $MIN AND CurrentUser.TIER IN ("gold")'
    )
    assert kept(expr, user_id="u1", filter_values={"MIN": "18"}) == ["i3", "i4"]
    assert kept(expr, user_id="u1", filter_values={"MIN": "30"}) == ALL_ITEMS
    assert kept(expr, user_id="u2", filter_values={"MIN": "18"}) == ALL_ITEMS  # silver
    expr = 'INCLUDE ItemID WHERE Items.STUDIO IN ("boss") IF CurrentUser.TIER IN ("vip")'
    assert kept(expr, user_id="u3") == ["i3", "i4"]  # categorical gold|vip
    expr = 'INCLUDE ItemID WHERE Items.STUDIO IN ("boss") IF CurrentUser.TIER NOT IN ("gold")'
    assert kept(expr, user_id="u2") == ["i3", "i4"]
    assert kept(expr, user_id="u3") == ALL_ITEMS


# -------------------------------------------------------------------------- AND / OR logic


def test_and_binds_tighter_than_or():
    # Comedy OR (acme AND price > 10): i1, i4 by Comedy; i2, i6 by acme & price
    expr = (
        'INCLUDE ItemID WHERE Items.GENRES IN ("Comedy") OR Items.STUDIO IN ("acme") '
        "AND Items.PRICE > 10"
    )
    assert kept(expr) == ["i1", "i2", "i4", "i6"]
    # (acme AND price > 10) OR Comedy: same answer, order of clauses does not matter
    expr = (
        'INCLUDE ItemID WHERE Items.STUDIO IN ("acme") AND Items.PRICE > 10 '
        'OR Items.GENRES IN ("Comedy")'
    )
    assert kept(expr) == ["i1", "i2", "i4", "i6"]
    # were OR tighter, (Comedy OR acme) AND price > 10 would keep i2, i4, i6 only


def test_and_intersects_or_unites():
    assert kept('INCLUDE ItemID WHERE Items.STUDIO IN ("acme") AND Items.GENRES IN ("Drama")') == [
        "i1",
        "i2",
    ]
    assert kept('INCLUDE ItemID WHERE Items.STUDIO IN ("cine") OR Items.PRICE > 40') == [
        "i5",
        "i6",
    ]


# ------------------------------------------------------------------------ | combinations


def test_include_plus_include_is_a_union():
    expr = (
        'INCLUDE ItemID WHERE Items.GENRES IN ("Horror") | '
        'INCLUDE ItemID WHERE Items.STUDIO IN ("cine")'
    )
    assert kept(expr) == ["i3", "i5"]


def test_exclude_plus_exclude_removes_both():
    expr = (
        'EXCLUDE ItemID WHERE Items.GENRES IN ("Drama") | '
        'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")'
    )
    assert kept(expr, user_interactions=U1_EVENTS) == ["i4", "i5", "i6"]


def test_mixed_include_and_exclude_in_any_order():
    first = 'INCLUDE ItemID WHERE Items.STUDIO IN ("acme", "boss")'
    second = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")'
    for expr in (f"{first} | {second}", f"{second} | {first}"):
        assert kept(expr, user_interactions=U1_EVENTS) == ["i2", "i4", "i6"]


def test_promotion_style_filter_over_a_subset():
    # promotions apply their own filter to the candidates serving hands them
    expr = (
        'INCLUDE ItemID WHERE Items.PRICE >= $LOW | EXCLUDE ItemID WHERE Items.STUDIO IN ("boss")'
    )
    assert kept(expr, ["i6", "i4", "i2"], filter_values={"LOW": "10"}) == ["i6", "i2"]


# ----------------------------------------------------------------------------- UserID


def test_user_filters_on_user_metadata():
    users = ["u1", "u2", "u3", "u9"]
    expr = "INCLUDE UserID WHERE Users.TIER IN ($TIER)"
    assert kept(expr, users, filter_values={"TIER": '"gold"'}) == ["u1", "u3"]
    assert kept("EXCLUDE UserID WHERE Users.AGE < $AGE", users, filter_values={"AGE": "30"}) == [
        "u2",
        "u3",
        "u9",
    ]


INTERACTIONS = pd.DataFrame(
    {
        "USER_ID": ["u1", "u1", "u2", "u3"],
        "ITEM_ID": ["i1", "i2", "i1", "i4"],
        "EVENT_TYPE": ["click", "Rating", "purchase", None],
        "TIMESTAMP": [1, 2, 3, 4],
    }
)


@pytest.mark.parametrize(
    "source",
    [
        INTERACTIONS,
        {
            uid: list(g[["ITEM_ID", "EVENT_TYPE", "TIMESTAMP"]].itertuples(index=False, name=None))
            for uid, g in INTERACTIONS.groupby("USER_ID")
        },
    ],
    ids=["frame", "mapping"],
)
def test_user_filters_on_interactions(source):
    users = ["u1", "u2", "u3", "u9"]
    ctx = {"item_interactions_by_user": source}
    include = 'INCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("click", "rating")'
    assert kept(include, users, **ctx) == ["u1"]
    exclude = "EXCLUDE UserID WHERE Interactions.EVENT_TYPE IN ($EVENT_TYPE)"
    assert kept(exclude, users, filter_values={"EVENT_TYPE": '"PURCHASE"'}, **ctx) == [
        "u1",
        "u3",
        "u9",
    ]
    assert kept('INCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("*")', users, **ctx) == [
        "u1",
        "u2",
        "u3",
    ]


def test_user_filters_with_a_callable_source():
    history = {"u1": [("i1", "click", 1)]}
    expr = 'INCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("click")'
    assert kept(expr, ["u1", "u2"], item_interactions_by_user=lambda u: history.get(u, [])) == [
        "u1"
    ]
    assert kept(expr, ["u1", "u2"]) == []  # no source: nobody has interactions


# ---------------------------------------------------------------------------- ActionID


def test_action_filters_on_action_metadata_and_interactions():
    actions = ["a1", "a2", "a3"]
    assert kept('INCLUDE ActionID WHERE Actions.LEVEL IN ("Gold")', actions) == ["a1", "a3"]
    assert kept('INCLUDE ActionID WHERE Action.LEVEL IN ("Gold")', actions) == ["a1", "a3"]
    assert kept("EXCLUDE ActionID WHERE Actions.VALUE >= 20", actions) == ["a1"]
    expr = 'EXCLUDE ActionID WHERE Action_Interactions.EVENT_TYPE IN ("TAKEN")'
    done = [("a2", "taken", 5), ("a3", "viewed", 6)]
    assert kept(expr, actions, user_action_interactions=done) == ["a1", "a3"]
    expr = 'INCLUDE ActionID WHERE Actions.LEVEL IN ("Gold") IF CurrentUser.AGE > 30'
    assert kept(expr, actions, user_id="u2") == ["a1", "a3"]
    assert kept(expr, actions, user_id="u1") == actions


# ------------------------------------------------------------------------- scale


def test_masks_a_large_catalogue_consistently():
    rng = np.random.default_rng(7)
    n = 5_000
    genres = np.array(["Action", "Comedy", "Drama", "Horror"])
    cells = ["|".join(sorted(set(rng.choice(genres, rng.integers(1, 3))))) for _ in range(n)]
    prices = rng.integers(0, 100, n).astype(float)
    items = pd.DataFrame(
        {"GENRES": cells, "PRICE": prices}, index=pd.Index([f"m{k}" for k in range(n)])
    )
    candidates = list(items.index[::-1])
    expr = 'INCLUDE ItemID WHERE Items.GENRES IN ("Horror") AND Items.PRICE < 50'
    mask = parse_filter(expr).mask(candidates, FilterContext(items=items))
    by_id = dict(zip(items.index, zip(cells, prices, strict=True), strict=True))
    expected = ["Horror" in by_id[c][0].split("|") and by_id[c][1] < 50 for c in candidates]
    assert mask.tolist() == expected
    assert 0 < mask.sum() < n


# ------------------------------------------------------------------------- edge cases


def test_empty_candidates_and_empty_frames():
    expr = 'INCLUDE ItemID WHERE Items.GENRES IN ("Drama") AND Items.PRICE > 1'
    assert kept(expr, []) == []
    assert kept(expr, items=ITEMS.iloc[:0]) == []
    assert kept(expr.replace("INCLUDE", "EXCLUDE"), items=ITEMS.iloc[:0]) == ALL_ITEMS


def test_duplicated_ids_use_the_newest_row():
    items = pd.concat([ITEMS, ITEMS.loc[["i2"]].assign(STUDIO="cine")])
    assert kept('INCLUDE ItemID WHERE Items.STUDIO IN ("cine")', items=items) == ["i2", "i5"]
    expr = "INCLUDE ItemID WHERE Items.STUDIO IN CurrentItem.STUDIO"
    assert kept(expr, items=items, current_item_id="i2") == ["i2", "i5"]


def test_the_id_column_can_be_filtered_through_the_index():
    expr = "EXCLUDE ItemID WHERE Items.ITEM_ID IN ($SEEN)"
    assert kept(expr, filter_values={"SEEN": '"i1","i6"'}) == ["i2", "i3", "i4", "i5"]
