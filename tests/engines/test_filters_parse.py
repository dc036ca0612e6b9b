"""Filter expressions: grammar, structural rules, schema validation, filterValues and the
batch item-attribute query language. Evaluation is in test_filters_eval.py."""

from __future__ import annotations

import re

import pytest

from personalize_emulator.engines.filters import (
    MAX_EXPRESSION_LENGTH,
    FilterError,
    parse_filter,
    parse_filter_values,
    parse_item_attribute_query,
)

# Expressions from the developer guide's examples (and its quirks) that must parse.
VALID = [
    'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click", "stream")',
    'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")',
    "INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (*)",
    'EXCLUDE ItemID WHERE Items.CATEGORY IN ("shoe") AND Items.COLOR NOT IN ("boot")',
    "INCLUDE ItemID WHERE Items.NUMBER_OF_DOWNLOADS < 20",
    "EXCLUDE ItemID WHERE Items.NUMBER_OF_DOWNLOADS < 20 IF CurrentUser.AGE > 18 "
    "AND CurrentUser.AGE < 30",
    'INCLUDE ItemID WHERE Items.CATEGORY IN ("watch") IF CurrentUser.AGE > 18',
    'INCLUDE ItemID WHERE Items.GENRE IN ("drama") | '
    'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click", "stream")',
    "INCLUDE ItemID WHERE Items.GENRE IN ($GENRE)",
    "INCLUDE ItemID WHERE Items.PRICE <= $MAX_PRICE",
    "INCLUDE ItemID WHERE Items.CREATION_TIMESTAMP > 1600000000.5",
    "INCLUDE ItemID WHERE Items.GENRE IN CurrentItem.GENRE",
    "INCLUDE ItemID WHERE Items.GENRE IN (CurrentItem.GENRE)",
    "INCLUDE ItemID WHERE Items.PRICE < CurrentItem.PRICE",
    "INCLUDE ActionID WHERE Actions.VALUE > ($VALUE)",
    'INCLUDE ActionID WHERE Action.MEMBERSHIP_LEVEL IN ("Gold")',
    'EXCLUDE ActionID WHERE Action_Interactions.EVENT_TYPE IN ("taken")',
    'INCLUDE ActionID WHERE Actions.A IN ("x") IF CurrentUser.TIER IN ("gold")',
    "INCLUDE UserID WHERE Users.MEMBERSHIP_STATUS IN ($MEMBERSHIP)",
    "EXCLUDE UserID WHERE Users.AGE < $AGE",
    'INCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("click, rating")',
    'include ItemID where Items.GENRE in ("a") and Items.PRICE >= 3',
    'INCLUDE ItemID WHERE ITEMS.GENRE IN ("a", 3, -2.5, "say \\"hi\\"")',
]


@pytest.mark.parametrize("text", VALID)
def test_documented_expressions_parse(text):
    assert parse_filter(text).expressions


def test_target_fields_and_parameters():
    f = parse_filter(
        "INCLUDE ItemID WHERE Items.GENRE IN ($GENRE) AND Items.PRICE < $MAX "
        'IF CurrentUser.AGE > $AGE | EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click") '
        "| INCLUDE ItemID WHERE Items.STUDIO IN CurrentItem.STUDIO"
    )
    assert f.target == "ItemID"
    assert f.fields() == {
        ("Items", "GENRE"),
        ("Items", "PRICE"),
        ("Users", "AGE"),
        ("Interactions", "EVENT_TYPE"),
        ("Items", "STUDIO"),
    }
    assert f.parameters() == {"GENRE", "MAX", "AGE"}
    assert f.uses_interactions and f.uses_current_item and f.needs_user


def test_user_and_action_targets():
    assert parse_filter("EXCLUDE UserID WHERE Users.AGE < $AGE").target == "UserID"
    f = parse_filter('INCLUDE ActionID WHERE Action.LEVEL IN ("Gold")')
    assert f.target == "ActionID"
    assert f.fields() == {("Actions", "LEVEL")}
    assert not f.needs_user and not f.uses_interactions


def test_and_binds_tighter_than_or():
    f = parse_filter(
        'INCLUDE ItemID WHERE Items.A IN ("1") OR Items.B IN ("2") AND Items.C IN ("3") '
        'OR Items.D IN ("4")'
    )
    groups = [[c.field.column for c in g] for g in f.expressions[0].where]
    assert groups == [["A"], ["B", "C"], ["D"]]


def test_keywords_are_case_insensitive_but_columns_are_kept():
    f = parse_filter('exclude itemid where items.Genre not in ("x") if currentuser.Age > 3')
    expr = f.expressions[0]
    assert (expr.action, expr.target) == ("EXCLUDE", "ItemID")
    assert expr.where[0][0].op == "NOT IN"
    assert f.fields() == {("Items", "Genre"), ("Users", "Age")}


def test_interactions_event_type_column_is_canonical():
    f = parse_filter('INCLUDE ItemID WHERE Interactions.event_type IN ("click")')
    assert f.fields() == {("Interactions", "EVENT_TYPE")}


# --------------------------------------------------------------- syntax errors point at it


def error_of(text: str) -> FilterError:
    with pytest.raises(FilterError) as info:
        parse_filter(text)
    return info.value


@pytest.mark.parametrize(
    "text, position, near, expected",
    [
        # unknown / misspelt keywords
        ('INCLUDE ItemID WHER Items.GENRE IN ("a")', 15, "'WHER'", "expected WHERE"),
        ('INCLUDES ItemID WHERE Items.GENRE IN ("a")', 0, "'INCLUDES'", "INCLUDE or EXCLUDE"),
        ('INCLUDE ItemIDs WHERE Items.GENRE IN ("a")', 8, "'ItemIDs'", "ItemID, ActionID or"),
        ('INCLUDE ItemID WHERE Items.GENRE IN ("a") AN Items.B IN ("b")', 42, "'AN'", "AND, OR"),
        ('INCLUDE ItemID WHERE Item.GENRE IN ("a")', 21, "'Item'", "a dataset field"),
        ('INCLUDE ItemID WHERE Items.GENRE ON ("a")', 33, "'ON'", "an operator"),
        ('INCLUDE ItemID WHERE Items.GENRE NOT ("a")', 37, "'('", "expected IN"),
        # missing WHERE
        ('INCLUDE ItemID Items.GENRE IN ("a")', 15, "'Items'", "expected WHERE"),
        # unbalanced parentheses
        ('INCLUDE ItemID WHERE Items.GENRE IN ("a", "b"', 45, "end of expression", "')'"),
        ('INCLUDE ItemID WHERE Items.GENRE IN ("a"))', 41, "')'", "AND, OR, IF"),
        ('INCLUDE ItemID WHERE Items.GENRE IN "a")', 36, "'\"a\"'", "'('"),
        ("INCLUDE ItemID WHERE Items.PRICE > ($P", 38, "end of expression", "')'"),
        # bad operators
        ("INCLUDE ItemID WHERE Items.PRICE != 3", 33, "'!='", "an operator"),
        ("INCLUDE ItemID WHERE Items.PRICE <> 3", 33, "'<>'", "an operator"),
        ("INCLUDE ItemID WHERE Items.PRICE == 3", 33, "'=='", "an operator"),
        ('INCLUDE ItemID WHERE Items.GENRE = "a"', 35, "'\"a\"'", "compare strings with IN"),
        # missing pieces
        ("INCLUDE ItemID WHERE", 20, "end of expression", "a dataset field"),
        ('INCLUDE ItemID WHERE Items.GENRE IN ("a") |', 43, "end of expression", "INCLUDE"),
        ("INCLUDE ItemID WHERE Items.GENRE IN ()", 37, "')'", "a value"),
        ('INCLUDE ItemID WHERE Items. IN ("a")', 28, "'IN'", "a column name"),
        ('INCLUDE ItemID WHERE Items.GENRE IN ("a",)', 41, "')'", "a value"),
        ('INCLUDE ItemID WHERE Items.A IN ("a") IF CurrentUser.X > 1 OR', 59, "'OR'", "AND"),
        ('INCLUDE ItemID WHERE Items.A IN ("a") IF Users.AGE > 1', 41, "'Users'", "CurrentUser"),
        ("INCLUDE ItemID WHERE CurrentUser.AGE > 3", 21, "'CurrentUser'", "after IF"),
    ],
)
def test_syntax_errors_point_at_the_problem(text, position, near, expected):
    err = error_of(text)
    assert err.position == position
    assert f"at position {position} near {near}" in str(err)
    assert expected in str(err)


def test_unterminated_string_points_at_its_opening_quote():
    err = error_of('INCLUDE ItemID WHERE Items.GENRE IN ("comedy)')
    assert err.position == 37
    assert "unterminated string" in str(err)


def test_unexpected_characters():
    err = error_of('INCLUDE ItemID WHERE Items.GENRE IN ("a") # comment')
    assert err.position == 42 and "unexpected character '#'" in str(err)
    err = error_of("INCLUDE ItemID WHERE Items.GENRE IN ($)")
    assert err.position == 37 and "parameter name" in str(err)


def test_length_limit():
    head = "INCLUDE ItemID WHERE Items.GENRE IN ("
    values = ", ".join(f'"g{i}"' for i in range(600))
    too_long = head + values + ")"
    assert len(too_long) > MAX_EXPRESSION_LENGTH
    err = error_of(too_long)
    assert err.position == MAX_EXPRESSION_LENGTH
    assert f"the maximum is {MAX_EXPRESSION_LENGTH}" in str(err)
    fits = head + ", ".join(f'"g{i}"' for i in range(300)) + ")"
    assert len(fits) <= MAX_EXPRESSION_LENGTH
    parse_filter(fits)


def test_empty_expression():
    assert "empty" in str(error_of("   "))


# ------------------------------------------------------------------------ structural rules


@pytest.mark.parametrize(
    "text, near, message",
    [
        (
            'INCLUDE ItemID WHERE Items.GENRE IN ("a") AND Interactions.EVENT_TYPE IN ("click")',
            "Interactions.EVENT_TYPE",
            "different datasets",
        ),
        (
            'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click") OR Items.GENRE IN ("a")',
            "Items.GENRE",
            "chain expressions with '|'",
        ),
        ("INCLUDE ItemID WHERE Users.AGE > 3", "Users.AGE", "cannot filter ItemID"),
        ('INCLUDE UserID WHERE Items.GENRE IN ("a")', "Items.GENRE", "cannot filter UserID"),
        ('INCLUDE ActionID WHERE Items.GENRE IN ("a")', "Items.GENRE", "cannot filter ActionID"),
        (
            'INCLUDE ItemID WHERE Action_Interactions.EVENT_TYPE IN ("a")',
            "Action_Interactions.EVENT_TYPE",
            "cannot filter ItemID",
        ),
        (
            "INCLUDE ItemID WHERE Interactions.EVENT_VALUE > 3",
            "Interactions.EVENT_VALUE",
            "only EVENT_TYPE",
        ),
        (
            "INCLUDE ItemID WHERE Interactions.EVENT_TYPE = 3",
            "Interactions.EVENT_TYPE",
            "IN or NOT IN",
        ),
        ("INCLUDE ItemID WHERE Items.GENRE IN (*)", "*)", "* is only allowed"),
        ("EXCLUDE ItemID WHERE Items.GENRE NOT IN ($G)", "$G", "cannot be used with NOT IN"),
        (
            "INCLUDE UserID WHERE Users.TIER IN CurrentItem.TIER",
            "CurrentItem.TIER",
            "only allowed in ItemID",
        ),
        (
            'INCLUDE UserID WHERE Users.TIER IN ("a") IF CurrentUser.AGE > 3',
            "CurrentUser.AGE",
            "IF is only allowed in ItemID and ActionID",
        ),
        (
            'INCLUDE ItemID WHERE Items.A IN ("a") | EXCLUDE UserID WHERE Users.B IN ("b")',
            "EXCLUDE UserID",
            "same target (ItemID)",
        ),
        (
            'INCLUDE ItemID WHERE Items.A IN ("a") AND Items.B IN ("b") AND Items.C IN ("c") '
            '| EXCLUDE ItemID WHERE Items.D IN ("d") AND Items.A IN ("x") '
            "IF CurrentUser.E > 1 AND CurrentUser.F > 2",
            "CurrentUser.F",
            "at most 5 distinct dataset fields",
        ),
    ],
)
def test_structural_rules(text, near, message):
    err = error_of(text)
    assert text[err.position :].startswith(near)
    assert message in str(err)


def test_five_distinct_fields_are_allowed_and_repeats_count_once():
    parse_filter(
        'INCLUDE ItemID WHERE Items.A IN ("a") AND Items.B IN ("b") AND Items.C IN ("c") '
        'AND Items.A IN ("z") | EXCLUDE ItemID WHERE Items.D IN CurrentItem.D '
        "IF CurrentUser.E > 1 AND CurrentUser.E < 9"
    )


# ------------------------------------------------------------------------------- validate

SCHEMAS = {
    "Items": {
        "ITEM_ID": "string",
        "GENRES": "categorical",
        "PRICE": "numeric",
        "CREATION_TIMESTAMP": "numeric",
        "DESCRIPTION": "textual",
        "IN_STOCK": "boolean",
        "STUDIO": "string",
    },
    "Interactions": {"USER_ID": "string", "ITEM_ID": "string", "EVENT_TYPE": "string"},
    "Users": {"USER_ID": "string", "AGE": "numeric", "TIER": "categorical"},
}


def validation_error(text: str, schemas=SCHEMAS) -> FilterError:
    f = parse_filter(text)
    with pytest.raises(FilterError) as info:
        f.validate(schemas)
    return info.value


def test_validate_accepts_known_fields():
    parse_filter(
        "INCLUDE ItemID WHERE Items.GENRES IN ($G) AND Items.PRICE < 10 IF CurrentUser.AGE > 30 "
        '| EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click") '
        "| INCLUDE ItemID WHERE Items.CREATION_TIMESTAMP >= CurrentItem.CREATION_TIMESTAMP"
    ).validate(SCHEMAS)
    parse_filter('INCLUDE ItemID WHERE items.genres IN ("x")').validate(SCHEMAS)  # case-folded
    parse_filter('INCLUDE UserID WHERE Users.TIER IN ("gold")').validate(SCHEMAS)


@pytest.mark.parametrize(
    "text, field, message",
    [
        ('INCLUDE ItemID WHERE Items.COLOR IN ("red")', "Items.COLOR", "has no field COLOR"),
        ('INCLUDE ItemID WHERE Items.DESCRIPTION IN ("a")', "Items.DESCRIPTION", "textual"),
        ('INCLUDE ItemID WHERE Items.IN_STOCK IN ("True")', "Items.IN_STOCK", "boolean"),
        ("INCLUDE ItemID WHERE Items.GENRES > 3", "Items.GENRES", "numeric fields only"),
        ("INCLUDE ItemID WHERE Items.STUDIO = $S", "Items.STUDIO", "numeric fields only"),
        (
            "INCLUDE ItemID WHERE Items.PRICE < CurrentItem.STUDIO",
            "CurrentItem.STUDIO",
            "needs a numeric field",
        ),
        (
            'INCLUDE ItemID WHERE Items.PRICE < 3 IF CurrentUser.HEIGHT IN ("x")',
            "CurrentUser.HEIGHT",
            "has no field HEIGHT",
        ),
        ("INCLUDE ItemID WHERE Items.PRICE < 3 IF CurrentUser.TIER > 3", "CurrentUser.TIER", ""),
        ('INCLUDE ActionID WHERE Actions.LEVEL IN ("x")', "Actions.LEVEL", "lacks"),
    ],
)
def test_validate_rejects_and_names_the_field(text, field, message):
    err = validation_error(text)
    assert f"near '{field}'" in str(err)
    assert text[err.position :].startswith(field)
    assert message in str(err)


def test_validate_interactions_dataset_must_exist():
    schemas = {"Items": SCHEMAS["Items"]}
    err = validation_error('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")', schemas)
    assert "Interactions" in str(err) and "lacks" in str(err)


def test_validate_action_columns_personalize_applies_itself():
    schemas = {"Actions": {"ACTION_ID": "string", "ACTION_EXPIRATION_TIMESTAMP": "numeric"}}
    err = validation_error(
        "INCLUDE ActionID WHERE Actions.ACTION_EXPIRATION_TIMESTAMP > 3", schemas
    )
    assert "cannot be filtered" in str(err)


# --------------------------------------------------------------------------- filterValues


@pytest.mark.parametrize(
    "raw, values",
    [
        ('"comedy"', ["comedy"]),
        ('"comedy","drama"', ["comedy", "drama"]),
        (' "comedy" , "drama" ', ["comedy", "drama"]),
        ('"Sci-Fi, Fantasy"', ["Sci-Fi, Fantasy"]),
        ('"say \\"hi\\""', ['say "hi"']),
        ("30", ["30"]),
        ("1.5, -2", ["1.5", "-2"]),
        ('"30", 40', ["30", "40"]),
        ('""', [""]),
        ("", []),
        ("   ", []),
    ],
)
def test_parse_filter_values(raw, values):
    assert parse_filter_values(raw) == values


@pytest.mark.parametrize(
    "raw, message",
    [
        ("comedy", "must be double-quoted"),
        ('"comedy", drama', "'drama' must be double-quoted"),
        ('"comedy', "unterminated string"),
        ('"a" "b"', "expected ','"),
        ('"a",', "a value must follow ','"),
        ("nan", "must be double-quoted"),
    ],
)
def test_parse_filter_values_errors(raw, message):
    with pytest.raises(FilterError, match=re.escape(message)):
        parse_filter_values(raw)


# ---------------------------------------------------------------- item-attribute queries


def test_parse_item_attribute_query():
    assert parse_item_attribute_query('ITEMS.genres = "Comedy" AND ITEMS.genres = "Action"') == [
        ("genres", "Comedy"),
        ("genres", "Action"),
    ]
    assert parse_item_attribute_query('Items.PRICE = 10 and ITEMS.COLOR = "red"') == [
        ("PRICE", "10"),
        ("COLOR", "red"),
    ]


@pytest.mark.parametrize(
    "text, position, expected",
    [
        ('ITEMS.genres IN ("Comedy")', 13, "'='"),
        ('ITEMS.genres = "Comedy" OR ITEMS.genres = "Action"', 24, "AND or the end"),
        ('USERS.age = "3"', 0, "ITEMS.COLUMN"),
        ("ITEMS.genres = Comedy", 15, "quoted value"),
        ('ITEMS.genres = "Comedy" AND', 27, "ITEMS.COLUMN"),
        ('ITEMS.genres = "Comedy', 15, "unterminated"),
        ("", 0, "empty"),
    ],
)
def test_parse_item_attribute_query_errors(text, position, expected):
    with pytest.raises(FilterError) as info:
        parse_item_attribute_query(text)
    assert info.value.position == position
    assert expected in str(info.value)
    assert str(info.value).startswith("Invalid item attributes query")
