"""Amazon Personalize filter expressions: tokens, syntax tree, parser and the structural rules.

Grammar (api-surface §7.1)::

    filter      := expression { "|" expression }
    expression  := (INCLUDE | EXCLUDE) (ItemID | ActionID | UserID)
                   WHERE condition { (AND | OR) condition } [ IF user_cond { AND user_cond } ]
    condition   := Dataset.COLUMN (IN | NOT IN) list | Dataset.COLUMN (= | < | <= | > | >=) scalar
    list        := "(" item { "," item } ")" | $PARAM | CurrentItem.COLUMN
    item        := "string" | number | * | $PARAM | CurrentItem.COLUMN
    scalar      := number | $PARAM | "(" $PARAM ")" | "(" number ")" | CurrentItem.COLUMN
    user_cond   := CurrentUser.COLUMN (IN | NOT IN | = | < | <= | > | >=) (list | scalar)

Decisions where the service documentation is silent (api-surface §10.6):

* Keywords (``INCLUDE``, ``WHERE``, ``AND``...), targets (``ItemID``) and dataset names
  (``Items``, ``ITEMS``) are matched case-insensitively; column names and parameter names are
  case-sensitive. ``Action.`` is accepted for ``Actions.``.
* ``AND`` binds tighter than ``OR``: ``a OR b AND c`` means ``a OR (b AND c)``. Conditions are
  kept as a disjunction of conjunctions (``Expression.where``).
* A quoted string with an escaped quote (``"say \\"hi\\""``) is one value.

Rules that do not depend on the dataset group's schemas are enforced here, so that
``parse_filter`` alone rejects every expression the service rejects for its shape: the
2,500-character limit, at most five distinct dataset fields per filter, the datasets each target
may use, one dataset per expression (Items and Interactions are combined with ``|``, never with
AND/OR), only ``EVENT_TYPE`` of interaction datasets, ``*`` only for event types, no parameter
after ``NOT IN``, ``CurrentItem`` only in item filters, ``IF`` only in item and action filters,
one target for the whole filter. Schema rules live in ``Filter.validate`` (``filters.py``).

Every error is a :class:`FilterError` whose message names the 0-based character position and
the token found there, e.g. ``Invalid filter expression at position 15 near 'WHER': expected
WHERE``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_EXPRESSION_LENGTH = 2500
MAX_DISTINCT_FIELDS = 5

ITEMS = "Items"
INTERACTIONS = "Interactions"
USERS = "Users"
ACTIONS = "Actions"
ACTION_INTERACTIONS = "Action_Interactions"

DATASET_NAMES = {
    "items": ITEMS,
    "interactions": INTERACTIONS,
    "users": USERS,
    "actions": ACTIONS,
    "action": ACTIONS,
    "action_interactions": ACTION_INTERACTIONS,
}
INTERACTION_DATASETS = frozenset({INTERACTIONS, ACTION_INTERACTIONS})

TARGETS = {"itemid": "ItemID", "actionid": "ActionID", "userid": "UserID"}
#: The datasets a WHERE clause may read, per target.
TARGET_DATASETS = {
    "ItemID": (ITEMS, INTERACTIONS),
    "ActionID": (ACTIONS, ACTION_INTERACTIONS),
    "UserID": (USERS, INTERACTIONS),
}
#: The metadata dataset whose rows are the candidates of each target.
TARGET_METADATA = {"ItemID": ITEMS, "ActionID": ACTIONS, "UserID": USERS}

COMPARISONS = ("=", "<", "<=", ">", ">=")
MEMBERSHIP = ("IN", "NOT IN")

# Roles of a field reference.
ROW = "row"  # Dataset.COLUMN of the candidate being filtered
CURRENT_USER = "current_user"  # CurrentUser.COLUMN in an IF clause
CURRENT_ITEM = "current_item"  # CurrentItem.COLUMN as a value


class FilterError(ValueError):
    """A filter expression, filter value or item-attribute query is invalid.

    ``position`` is the 0-based character offset of the problem in the text, when there is one.
    """

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message)
        self.message = message
        self.position = position


# ---------------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    kind: str  # WORD, STRING, NUMBER, PARAM, OP, PUNCT, END
    text: str  # as written
    value: str  # decoded: string contents, parameter name without "$", or the text
    pos: int


_TOKEN_RE = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<number>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<param>\$[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op><=|>=|!=|<>|==|=|<|>)
    | (?P<punct>[(),.|*])
    """,
    re.VERBOSE,
)


def _read_string(text: str, start: int, prefix: str) -> tuple[str, int]:
    """Decode the double-quoted string opening at ``start``; return (value, end offset)."""
    out: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        elif ch == '"':
            return "".join(out), i + 1
        else:
            out.append(ch)
            i += 1
    raise FilterError(
        f"{prefix} at position {start} near {_snippet(text, start)}: unterminated string "
        "(missing closing double quote)",
        start,
    )


def _snippet(text: str, pos: int, width: int = 12) -> str:
    piece = text[pos : pos + width]
    return repr(piece + ("..." if len(text) > pos + width else ""))


def tokenize(text: str, prefix: str = "Invalid filter expression") -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        if text[i] == '"':
            value, end = _read_string(text, i, prefix)
            tokens.append(Token("STRING", text[i:end], value, i))
            i = end
            continue
        m = _TOKEN_RE.match(text, i)
        if m is None:
            if text[i] == "$":
                raise FilterError(
                    f"{prefix} at position {i} near {_snippet(text, i)}: expected a parameter "
                    "name after '$' (letters, digits and underscores)",
                    i,
                )
            raise FilterError(
                f"{prefix} at position {i} near {_snippet(text, i)}: unexpected character "
                f"{text[i]!r}",
                i,
            )
        kind = m.lastgroup
        if kind != "ws":
            raw = m.group()
            value = raw[1:] if kind == "param" else raw
            tokens.append(Token(kind.upper(), raw, value, i))
        i = m.end()
    tokens.append(Token("END", "", "", len(text)))
    return tokens


# ------------------------------------------------------------------------------ syntax tree


@dataclass(frozen=True)
class FieldRef:
    """``Dataset.COLUMN``, ``CurrentUser.COLUMN`` (dataset Users) or ``CurrentItem.COLUMN``
    (dataset Items)."""

    dataset: str
    column: str
    role: str
    position: int

    def __str__(self) -> str:
        if self.role == CURRENT_USER:
            return f"CurrentUser.{self.column}"
        if self.role == CURRENT_ITEM:
            return f"CurrentItem.{self.column}"
        return f"{self.dataset}.{self.column}"


@dataclass(frozen=True)
class Literal:
    """A quoted string, a number (kept as written) or ``*``."""

    text: str
    quoted: bool
    position: int

    @property
    def wildcard(self) -> bool:
        return self.text == "*" and not self.quoted


@dataclass(frozen=True)
class Param:
    name: str  # without "$"
    position: int


Operand = Literal | Param | FieldRef


@dataclass(frozen=True)
class Condition:
    field: FieldRef
    op: str  # one of MEMBERSHIP or COMPARISONS
    operands: tuple[Operand, ...]  # IN: the list; comparisons: exactly one
    position: int

    @property
    def is_comparison(self) -> bool:
        return self.op in COMPARISONS


@dataclass(frozen=True)
class Expression:
    action: str  # INCLUDE | EXCLUDE
    target: str  # ItemID | ActionID | UserID
    where: tuple[tuple[Condition, ...], ...]  # OR of ANDs
    if_conditions: tuple[Condition, ...]  # all must hold (CurrentUser fields)
    position: int
    text: str

    @property
    def include(self) -> bool:
        return self.action == "INCLUDE"

    @property
    def dataset(self) -> str:
        return self.where[0][0].field.dataset

    def conditions(self) -> list[Condition]:
        return [c for group in self.where for c in group] + list(self.if_conditions)

    def field_refs(self) -> list[FieldRef]:
        refs: list[FieldRef] = []
        for cond in self.conditions():
            refs.append(cond.field)
            refs.extend(op for op in cond.operands if isinstance(op, FieldRef))
        return refs

    def parameters(self) -> list[str]:
        return [op.name for c in self.conditions() for op in c.operands if isinstance(op, Param)]


# ----------------------------------------------------------------------------------- parser


_RESERVED = frozenset({"INCLUDE", "EXCLUDE", "WHERE", "AND", "OR", "NOT", "IN", "IF"})


class _Parser:
    def __init__(self, text: str, prefix: str):
        self.text = text
        self.prefix = prefix
        self.tokens = tokenize(text, prefix)
        self.i = 0

    # token helpers
    def peek(self, k: int = 0) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.peek()
        if tok.kind != "END":
            self.i += 1
        return tok

    @staticmethod
    def is_word(tok: Token, word: str) -> bool:
        return tok.kind == "WORD" and tok.text.upper() == word

    @staticmethod
    def is_punct(tok: Token, ch: str) -> bool:
        return tok.kind == "PUNCT" and tok.text == ch

    def fail(self, expected: str, tok: Token | None = None) -> FilterError:
        tok = tok or self.peek()
        near = "end of expression" if tok.kind == "END" else repr(tok.text)
        return FilterError(
            f"{self.prefix} at position {tok.pos} near {near}: expected {expected}", tok.pos
        )

    def keyword(self, word: str) -> Token:
        tok = self.peek()
        if not self.is_word(tok, word):
            raise self.fail(word)
        return self.advance()

    def punct(self, ch: str, expected: str | None = None) -> Token:
        tok = self.peek()
        if not self.is_punct(tok, ch):
            raise self.fail(expected or f"'{ch}'")
        return self.advance()

    def column(self) -> Token:
        tok = self.peek()
        if tok.kind != "WORD" or tok.text.upper() in _RESERVED:
            raise self.fail("a column name after '.'")
        return self.advance()

    # grammar
    def parse_filter(self) -> list[Expression]:
        expressions = [self.expression()]
        while self.is_punct(self.peek(), "|"):
            self.advance()
            expressions.append(self.expression())
        if self.peek().kind != "END":
            raise self.fail("AND, OR, IF, '|' or the end of the expression")
        return expressions

    def expression(self) -> Expression:
        start = self.peek()
        if self.is_word(start, "INCLUDE") or self.is_word(start, "EXCLUDE"):
            action = self.advance().text.upper()
        else:
            raise self.fail("INCLUDE or EXCLUDE")
        tok = self.peek()
        if tok.kind != "WORD" or tok.text.lower() not in TARGETS:
            raise self.fail("ItemID, ActionID or UserID")
        target = TARGETS[self.advance().text.lower()]
        self.keyword("WHERE")
        groups: list[list[Condition]] = [[self.condition()]]
        while True:
            tok = self.peek()
            if self.is_word(tok, "AND"):
                self.advance()
                groups[-1].append(self.condition())
            elif self.is_word(tok, "OR"):
                self.advance()
                groups.append([self.condition()])
            else:
                break
        if_conditions: list[Condition] = []
        if self.is_word(self.peek(), "IF"):
            self.advance()
            if_conditions.append(self.user_condition())
            while self.is_word(self.peek(), "AND"):
                self.advance()
                if_conditions.append(self.user_condition())
            if self.is_word(self.peek(), "OR"):
                raise self.fail("AND (an IF clause chains its conditions with AND only)")
        end = self.peek().pos
        return Expression(
            action=action,
            target=target,
            where=tuple(tuple(g) for g in groups),
            if_conditions=tuple(if_conditions),
            position=start.pos,
            text=self.text[start.pos : end].strip(),
        )

    def field(self) -> FieldRef:
        tok = self.peek()
        if tok.kind != "WORD":
            raise self.fail("a dataset field such as Items.GENRE")
        word = tok.text.lower()
        if word == "currentuser":
            raise self.fail("a dataset field (CurrentUser is only allowed after IF)")
        if word == "currentitem":
            raise self.fail("a dataset field (CurrentItem is only allowed as a value)")
        if word not in DATASET_NAMES:
            raise self.fail(
                "a dataset field such as Items.GENRE (datasets: Items, Interactions, Users, "
                "Actions, Action_Interactions)"
            )
        self.advance()
        self.punct(".", "'.' after the dataset name")
        col = self.column()
        dataset = DATASET_NAMES[word]
        column = col.text
        if dataset in INTERACTION_DATASETS and column.upper() == "EVENT_TYPE":
            column = "EVENT_TYPE"
        return FieldRef(dataset, column, ROW, tok.pos)

    def prefixed_field(self, word: str, dataset: str, role: str) -> FieldRef:
        tok = self.advance()  # the CurrentItem / CurrentUser word
        self.punct(".", f"'.' after {word}")
        col = self.column()
        return FieldRef(dataset, col.text, role, tok.pos)

    def operator(self) -> str:
        tok = self.peek()
        if self.is_word(tok, "IN"):
            self.advance()
            return "IN"
        if self.is_word(tok, "NOT"):
            self.advance()
            self.keyword("IN")
            return "NOT IN"
        if tok.kind == "OP" and tok.text in COMPARISONS:
            self.advance()
            return tok.text
        raise self.fail("an operator: IN, NOT IN, =, <, <=, > or >=")

    def condition(self) -> Condition:
        fld = self.field()
        op = self.operator()
        operands = self.list_operand() if op in MEMBERSHIP else (self.scalar_operand(op),)
        return Condition(fld, op, operands, fld.position)

    def user_condition(self) -> Condition:
        tok = self.peek()
        if not self.is_word(tok, "CURRENTUSER"):
            raise self.fail("CurrentUser.COLUMN (an IF clause tests the current user)")
        fld = self.prefixed_field("CurrentUser", USERS, CURRENT_USER)
        op = self.operator()
        operands = self.list_operand() if op in MEMBERSHIP else (self.scalar_operand(op),)
        return Condition(fld, op, operands, fld.position)

    def list_item(self) -> Operand:
        tok = self.peek()
        if tok.kind == "STRING":
            self.advance()
            return Literal(tok.value, True, tok.pos)
        if tok.kind == "NUMBER":
            self.advance()
            return Literal(tok.text, False, tok.pos)
        if self.is_punct(tok, "*"):
            self.advance()
            return Literal("*", False, tok.pos)
        if tok.kind == "PARAM":
            self.advance()
            return Param(tok.value, tok.pos)
        if self.is_word(tok, "CURRENTITEM"):
            return self.prefixed_field("CurrentItem", ITEMS, CURRENT_ITEM)
        raise self.fail('a value: "string", number, *, $PARAMETER or CurrentItem.COLUMN')

    def list_operand(self) -> tuple[Operand, ...]:
        tok = self.peek()
        if tok.kind == "PARAM":  # tolerated: IN $PARAM
            self.advance()
            return (Param(tok.value, tok.pos),)
        if self.is_word(tok, "CURRENTITEM"):  # observed: IN CurrentItem.GENRE
            return (self.prefixed_field("CurrentItem", ITEMS, CURRENT_ITEM),)
        self.punct("(", "'(' and a list of values after IN")
        items = [self.list_item()]
        while self.is_punct(self.peek(), ","):
            self.advance()
            items.append(self.list_item())
        self.punct(")", "',' or ')' (unbalanced parentheses)")
        return tuple(items)

    def scalar_operand(self, op: str) -> Operand:
        tok = self.peek()
        if self.is_punct(tok, "("):  # observed: > ($VALUE)
            self.advance()
            inner = self.scalar_operand(op)
            self.punct(")", "')' (unbalanced parentheses)")
            return inner
        if tok.kind == "NUMBER":
            self.advance()
            return Literal(tok.text, False, tok.pos)
        if tok.kind == "PARAM":
            self.advance()
            return Param(tok.value, tok.pos)
        if self.is_word(tok, "CURRENTITEM"):
            return self.prefixed_field("CurrentItem", ITEMS, CURRENT_ITEM)
        if tok.kind == "STRING":
            raise self.fail(
                f"a number, $PARAMETER or CurrentItem.COLUMN after '{op}' (compare strings with IN)"
            )
        raise self.fail(f"a number, $PARAMETER or CurrentItem.COLUMN after '{op}'")


# ---------------------------------------------------------------------------- structure


def _rule_error(text: str, position: int, message: str) -> FilterError:
    near = _snippet(text, position, 24)
    return FilterError(
        f"Invalid filter expression at position {position} near {near}: {message}", position
    )


def _check_expression(text: str, expr: Expression) -> None:
    allowed = TARGET_DATASETS[expr.target]
    first = expr.where[0][0].field
    for group in expr.where:
        for cond in group:
            fld = cond.field
            if fld.dataset not in allowed:
                raise _rule_error(
                    text,
                    fld.position,
                    f"{fld} cannot filter {expr.target}; {expr.target} filters use "
                    f"{' or '.join(allowed)}",
                )
            if fld.dataset != first.dataset:
                raise _rule_error(
                    text,
                    fld.position,
                    f"{fld} and {first} come from different datasets; one expression reads one "
                    "dataset, chain expressions with '|' to combine them",
                )
            _check_condition(text, expr, cond)
    if expr.if_conditions and expr.target == "UserID":
        raise _rule_error(
            text,
            expr.if_conditions[0].position,
            "IF is only allowed in ItemID and ActionID filters",
        )
    for cond in expr.if_conditions:
        _check_condition(text, expr, cond)


def _check_condition(text: str, expr: Expression, cond: Condition) -> None:
    fld = cond.field
    interaction = fld.role == ROW and fld.dataset in INTERACTION_DATASETS
    if interaction and fld.column != "EVENT_TYPE":
        raise _rule_error(
            text, fld.position, f"only EVENT_TYPE can be filtered in {fld.dataset}, not {fld}"
        )
    if interaction and cond.is_comparison:
        raise _rule_error(text, fld.position, f"{fld} is tested with IN or NOT IN, not '{cond.op}'")
    for op in cond.operands:
        if isinstance(op, Literal) and op.wildcard and not interaction:
            raise _rule_error(
                text, op.position, "* is only allowed in Interactions.EVENT_TYPE lists"
            )
        if isinstance(op, Param) and cond.op == "NOT IN":
            raise _rule_error(
                text,
                op.position,
                f"${op.name}: parameters cannot be used with NOT IN; use IN with the opposite "
                "INCLUDE/EXCLUDE",
            )
        if isinstance(op, FieldRef):
            if expr.target != "ItemID":
                raise _rule_error(
                    text, op.position, f"{op} is only allowed in ItemID filters (related items)"
                )
            if interaction:
                raise _rule_error(text, op.position, f"{op} cannot be compared with {fld}")


def check_structure(text: str, expressions: list[Expression]) -> None:
    """Apply the schema-independent rules listed in the module docstring."""
    target = expressions[0].target
    for expr in expressions:
        if expr.target != target:
            raise _rule_error(
                text,
                expr.position,
                f"every expression of a filter must use the same target ({target}), "
                f"not {expr.target}",
            )
        _check_expression(text, expr)
    seen: dict[tuple[str, str], FieldRef] = {}
    for expr in expressions:
        for ref in expr.field_refs():
            key = (ref.dataset, ref.column)
            if key not in seen:
                seen[key] = ref
                if len(seen) > MAX_DISTINCT_FIELDS:
                    raise _rule_error(
                        text,
                        ref.position,
                        f"a filter can use at most {MAX_DISTINCT_FIELDS} distinct dataset "
                        f"fields; {ref} is field number {len(seen)}",
                    )


def parse_expressions(text: str) -> list[Expression]:
    """Parse and structurally check a filter expression; raise :class:`FilterError`."""
    if not isinstance(text, str):
        raise FilterError("Invalid filter expression: the expression must be a string")
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise FilterError(
            f"Invalid filter expression at position {MAX_EXPRESSION_LENGTH}: the expression is "
            f"{len(text)} characters long; the maximum is {MAX_EXPRESSION_LENGTH}",
            MAX_EXPRESSION_LENGTH,
        )
    if not text.strip():
        raise FilterError("Invalid filter expression at position 0: the expression is empty", 0)
    expressions = _Parser(text, "Invalid filter expression").parse_filter()
    check_structure(text, expressions)
    return expressions


# ----------------------------------------------------------------------- item attributes


def parse_item_attribute_query(text: str) -> list[tuple[str, str]]:
    """Parse a batch segment job's ``itemAttributes`` query (api-surface §9.2).

    ``ITEMS.genres = "Comedy" AND ITEMS.price = 10`` -> ``[("genres", "Comedy"), ("price",
    "10")]``: ``=`` terms on the Items dataset joined only by AND; values are quoted strings or
    numbers (returned as written).
    """
    prefix = "Invalid item attributes query"
    if not isinstance(text, str) or not text.strip():
        raise FilterError(f"{prefix} at position 0: the query is empty", 0)
    parser = _Parser(text, prefix)
    terms: list[tuple[str, str]] = []
    while True:
        tok = parser.peek()
        if not parser.is_word(tok, "ITEMS"):
            raise parser.fail("ITEMS.COLUMN")
        parser.advance()
        parser.punct(".", "'.' after ITEMS")
        column = parser.column().text
        op = parser.peek()
        if not (op.kind == "OP" and op.text == "="):
            raise parser.fail("'=' (item attribute queries only test equality)")
        parser.advance()
        value = parser.peek()
        if value.kind not in ("STRING", "NUMBER"):
            raise parser.fail('a "quoted value" or a number after =')
        parser.advance()
        terms.append((column, value.value))
        if parser.is_word(parser.peek(), "AND"):
            parser.advance()
            continue
        if parser.peek().kind != "END":
            raise parser.fail("AND or the end of the query")
        return terms
