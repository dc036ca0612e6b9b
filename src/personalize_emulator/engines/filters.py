"""Amazon Personalize filters: validate against schemas and evaluate over candidates.

``parse_filter(text)`` returns a :class:`Filter` (grammar and structural rules live in
``filter_parser.py``). ``Filter.validate(available)`` checks it against the dataset group's
schemas at CreateFilter time. ``Filter.mask(candidate_ids, ctx)`` returns one bool per
candidate, True meaning keep, for a runtime request or one batch line.

Semantics (api-surface §7.2-7.3 and the decisions the service leaves open):

* Each expression yields a boolean mask over the candidates. The filter keeps
  ``(union of INCLUDE masks) & ~(union of EXCLUDE masks)``; when no INCLUDE expression applies,
  every candidate passes the include side.
* An expression applies only when its ``IF CurrentUser...`` clause holds. If there is no
  requesting user, no Users row for them, or the tested column is empty, the clause does not
  hold and the whole expression is skipped (an INCLUDE whose IF fails does not empty the list).
* Parameters: every ``$PARAM`` of an INCLUDE expression must have a value in ``filterValues``
  (else :class:`FilterError`); an EXCLUDE expression with a missing value is skipped. Values are
  strings of double-quoted, comma-separated values (``"\\"comedy\\",\\"drama\\""``); bare numbers
  are accepted. Keys are the parameter names without ``$`` (``$NAME`` keys are tolerated).
* ``IN`` / ``NOT IN`` compare exact strings. A categorical cell ``a|b`` matches when any of its
  values is listed (the whole cell also counts). ``NOT IN`` is the negation of ``IN``, so an
  empty cell or an unknown candidate is ``NOT IN`` every list. On a numeric column ``IN`` compares
  numbers. A list holding one quoted string with commas (the guide's ``("click, rating")``)
  matches the whole string and each comma-separated part.
* Comparisons (``= < <= > >=``) are numeric; an empty cell never satisfies one. A parameter of a
  comparison takes exactly one numeric value.
* ``Interactions.EVENT_TYPE`` conditions are evaluated per candidate item: an item matches ``IN
  (...)`` when the requesting user has an interaction with it whose event type is listed (case
  insensitive, ``*`` = any), among the user's 100 most recent interactions per event type (300
  for action interactions). ``NOT IN`` matches items the user interacted with under some other
  event type. AND/OR combine these per-item facts. For UserID filters a user matches when any of
  their interactions has a listed event type.
* ``CurrentItem.COLUMN`` reads the Items row of ``ctx.current_item_id``; an unknown item has no
  values, so nothing is ``IN`` it.

Frames are read, never modified; evaluation is vectorised: a column is factorised once per
call, the membership test runs over its distinct values, and the answer is gathered to the
candidates, so a 100k-item catalogue costs a few numpy passes.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .filter_parser import (
    ACTION_INTERACTIONS,
    ACTIONS,
    CURRENT_ITEM,
    DATASET_NAMES,
    INTERACTION_DATASETS,
    ITEMS,
    MAX_DISTINCT_FIELDS,
    MAX_EXPRESSION_LENGTH,
    USERS,
    Condition,
    Expression,
    FieldRef,
    FilterError,
    Literal,
    Param,
    parse_expressions,
    parse_item_attribute_query,
)

__all__ = [
    "MAX_DISTINCT_FIELDS",
    "MAX_EXPRESSION_LENGTH",
    "RECENT_INTERACTIONS_PER_EVENT_TYPE",
    "RECENT_ACTION_INTERACTIONS_PER_EVENT_TYPE",
    "Filter",
    "FilterContext",
    "FilterError",
    "parse_filter",
    "parse_filter_values",
    "parse_item_attribute_query",
]

RECENT_INTERACTIONS_PER_EVENT_TYPE = 100
RECENT_ACTION_INTERACTIONS_PER_EVENT_TYPE = 300

#: Columns of the Actions dataset Personalize applies itself and refuses to filter on.
UNFILTERABLE_ACTION_COLUMNS = frozenset({"ACTION_EXPIRATION_TIMESTAMP", "REPEAT_FREQUENCY"})

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

#: One interaction: ``(item_or_action_id, event_type, timestamp)`` or an object with
#: ``item_id`` (or ``action_id``), ``event_type`` and ``timestamp`` attributes.
InteractionRecord = Any
InteractionsByUser = (
    Mapping[str, Sequence[InteractionRecord]]
    | Callable[[str], Sequence[InteractionRecord]]
    | pd.DataFrame
)


@dataclass
class FilterContext:
    """What one request (or batch line) gives a filter to read.

    ``items`` / ``users`` / ``actions`` are indexed by ITEM_ID / USER_ID / ACTION_ID with the
    schema's column names. ``user_interactions`` are the requesting user's item interactions
    (history plus real-time events), ``user_action_interactions`` their action interactions.
    ``item_interactions_by_user`` serves UserID filters: a mapping or callable from user id to
    that user's interactions, or an interactions frame with USER_ID and EVENT_TYPE columns.
    ``field_kinds`` (dataset -> column -> kind), when given, limits ``|`` splitting to
    categorical columns; without it every string cell is split.
    """

    items: pd.DataFrame | None = None
    users: pd.DataFrame | None = None
    actions: pd.DataFrame | None = None
    user_id: str | None = None
    user_interactions: Sequence[InteractionRecord] = ()
    item_interactions_by_user: InteractionsByUser | None = None
    current_item_id: str | None = None
    filter_values: Mapping[str, str] = field(default_factory=dict)
    user_action_interactions: Sequence[InteractionRecord] = ()
    field_kinds: Mapping[str, Mapping[str, str]] | None = None

    def frame(self, dataset: str) -> pd.DataFrame | None:
        return {ITEMS: self.items, USERS: self.users, ACTIONS: self.actions}.get(dataset)


# ------------------------------------------------------------------------------ values


def parse_filter_values(raw: str) -> list[str]:
    """Split one ``filterValues`` entry: ``"\\"comedy\\",\\"drama\\""`` -> ``["comedy", "drama"]``.

    Values are double-quoted strings (``\\"`` escapes a quote) or bare numbers, separated by
    commas; an empty or blank string holds no values.
    """
    if not isinstance(raw, str):
        raise FilterError("Invalid filter value: filterValues values must be strings")
    values: list[str] = []
    i, n = 0, len(raw)

    def skip_ws(j: int) -> int:
        while j < n and raw[j].isspace():
            j += 1
        return j

    i = skip_ws(i)
    if i == n:
        return values
    while True:
        if raw[i] == '"':
            out: list[str] = []
            j = i + 1
            while j < n and raw[j] != '"':
                if raw[j] == "\\" and j + 1 < n:
                    j += 1
                out.append(raw[j])
                j += 1
            if j >= n:
                raise FilterError(
                    f"Invalid filter value {raw!r}: unterminated string at position {i}", i
                )
            values.append("".join(out))
            i = j + 1
        else:
            j = raw.find(",", i)
            j = n if j < 0 else j
            bare = raw[i:j].strip()
            if not _is_number(bare):
                raise FilterError(
                    f"Invalid filter value {raw!r} at position {i}: {bare!r} must be "
                    'double-quoted ("value") unless it is a number; separate values with commas',
                    i,
                )
            values.append(bare)
            i = j
        i = skip_ws(i)
        if i == n:
            return values
        if raw[i] != ",":
            raise FilterError(
                f"Invalid filter value {raw!r} at position {i}: expected ',' between values", i
            )
        i = skip_ws(i + 1)
        if i == n:
            raise FilterError(f"Invalid filter value {raw!r}: a value must follow ','", i)


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _lookup_values(filter_values: Mapping[str, str], name: str) -> list[str] | None:
    raw = filter_values.get(name)
    if raw is None:
        raw = filter_values.get("$" + name)
    if raw is None:
        return None
    values = parse_filter_values(raw)
    return values or None


# ------------------------------------------------------------------------------ filter


@dataclass(frozen=True)
class Filter:
    """A parsed filter expression (one or more ``|``-chained expressions)."""

    expression: str
    expressions: tuple[Expression, ...]

    @property
    def target(self) -> str:
        return self.expressions[0].target

    def fields(self) -> set[tuple[str, str]]:
        """Distinct ``(dataset, column)`` pairs read, CurrentUser/CurrentItem included."""
        return {(r.dataset, r.column) for e in self.expressions for r in e.field_refs()}

    def parameters(self) -> set[str]:
        return {name for e in self.expressions for name in e.parameters()}

    def datasets(self) -> set[str]:
        return {dataset for dataset, _ in self.fields()}

    @property
    def uses_interactions(self) -> bool:
        """Reads interactions (rejected with Item-Attribute-Affinity)."""
        return bool(self.datasets() & INTERACTION_DATASETS)

    @property
    def uses_current_item(self) -> bool:
        """Needs the request's itemId (related-items recipes only)."""
        return any(r.role == CURRENT_ITEM for e in self.expressions for r in e.field_refs())

    @property
    def needs_user(self) -> bool:
        """Reads the requesting user's interactions or Users row."""
        if self.target == "UserID":
            return False
        return self.uses_interactions or any(e.if_conditions for e in self.expressions)

    # -- validation -----------------------------------------------------------------

    def validate(self, available: Mapping[str, Mapping[str, str]]) -> None:
        """Check fields against the dataset group's schemas.

        ``available`` maps a dataset name (``Items``, ``Interactions``...) to ``{column: kind}``
        with kind in categorical, string, numeric, textual, boolean.
        """
        schemas = {DATASET_NAMES.get(k.lower(), k): v for k, v in available.items()}
        for expr in self.expressions:
            for cond in expr.conditions():
                kind = self._field_kind(schemas, cond.field)
                if cond.is_comparison and kind != "numeric":
                    raise self._error(
                        cond.field,
                        f"{cond.field} is a {kind} field; '{cond.op}' compares numeric fields "
                        "only (use IN for strings)",
                    )
                for op in cond.operands:
                    if isinstance(op, FieldRef):
                        other = self._field_kind(schemas, op)
                        if cond.is_comparison and other != "numeric":
                            raise self._error(
                                op, f"{op} is a {other} field; '{cond.op}' needs a numeric field"
                            )

    def _field_kind(self, schemas: Mapping[str, Mapping[str, str]], ref: FieldRef) -> str:
        columns = schemas.get(ref.dataset)
        if columns is None:
            raise self._error(
                ref, f"{ref} refers to the {ref.dataset} dataset, which the dataset group lacks"
            )
        column = _resolve_name(columns.keys(), ref.column)
        if column is None:
            raise self._error(ref, f"{ref}: the {ref.dataset} schema has no field {ref.column}")
        kind = str(columns[column]).lower()
        if kind in ("textual", "boolean"):
            raise self._error(
                ref,
                f"{ref} is a {kind} field and cannot be filtered"
                + ("; use a string or int field instead" if kind == "boolean" else ""),
            )
        if ref.dataset == ACTIONS and column.upper() in UNFILTERABLE_ACTION_COLUMNS:
            raise self._error(
                ref, f"{ref} cannot be filtered; Personalize applies it to actions itself"
            )
        return kind

    def _error(self, ref: FieldRef, message: str) -> FilterError:
        return FilterError(
            f"Invalid filter expression at position {ref.position} near '{ref}': {message}",
            ref.position,
        )

    # -- evaluation -------------------------------------------------------------------

    def mask(self, candidate_ids: Sequence[str], ctx: FilterContext) -> np.ndarray:
        """One bool per candidate (True = keep) for this request's context."""
        run = _Evaluation(self.target, candidate_ids, ctx)
        included: np.ndarray | None = None
        excluded = np.zeros(run.n, dtype=bool)
        for expr in self.expressions:
            params = _expression_params(expr, ctx.filter_values)
            if params is None:
                continue  # an EXCLUDE expression with a missing parameter is skipped
            if expr.if_conditions and not run.user_condition_holds(expr, params):
                continue
            hit = run.where(expr, params)
            if expr.include:
                included = hit if included is None else included | hit
            else:
                excluded |= hit
        keep = ~excluded
        if included is not None:
            keep &= included
        return keep


def parse_filter(expression: str) -> Filter:
    """Parse a filter expression (grammar and schema-independent rules only)."""
    return Filter(expression, tuple(parse_expressions(expression)))


def _expression_params(
    expr: Expression, filter_values: Mapping[str, str]
) -> dict[str, list[str]] | None:
    """Parameter values of one expression; None when an EXCLUDE expression lacks one."""
    resolved: dict[str, list[str]] = {}
    for cond in expr.conditions():
        for op in cond.operands:
            if not isinstance(op, Param) or op.name in resolved:
                continue
            values = _lookup_values(filter_values, op.name)
            if values is None:
                if expr.include:
                    raise FilterError(
                        f"Invalid filterValues: missing value for ${op.name}, which the INCLUDE "
                        f"expression at position {expr.position} requires",
                        op.position,
                    )
                return None
            resolved[op.name] = values
    return resolved


def _resolve_name(names: Iterable[str], wanted: str) -> str | None:
    """Exact column name, else the unique case-insensitive match."""
    names = list(names)
    if wanted in names:
        return wanted
    folded = [n for n in names if str(n).lower() == wanted.lower()]
    return folded[0] if len(folded) == 1 else None


# -------------------------------------------------------------------------- evaluation


def _record(rec: InteractionRecord) -> tuple[Any, Any, Any]:
    if isinstance(rec, tuple | list):
        ident, event_type = rec[0], rec[1] if len(rec) > 1 else None
        return ident, event_type, rec[2] if len(rec) > 2 else None
    ident = getattr(rec, "item_id", None)
    if ident is None:
        ident = getattr(rec, "action_id", None)
    return ident, getattr(rec, "event_type", None), getattr(rec, "timestamp", None)


def _time_key(ts: Any) -> float:
    if ts is None:
        return -math.inf
    if isinstance(ts, pd.Timestamp):
        return ts.timestamp()
    try:
        value = float(ts)
    except (TypeError, ValueError):
        return -math.inf
    return -math.inf if math.isnan(value) else value


def _recent(records: Sequence[InteractionRecord], per_type: int) -> list[tuple[Any, str]]:
    """``(id, lower-cased event type)`` of the most recent ``per_type`` records per event type."""
    by_type: dict[str, list[tuple[float, int, Any]]] = {}
    for order, rec in enumerate(records):
        ident, event_type, ts = _record(rec)
        etype = "" if event_type is None else str(event_type).lower()
        by_type.setdefault(etype, []).append((_time_key(ts), order, ident))
    kept: list[tuple[Any, str]] = []
    for etype, rows in by_type.items():
        rows.sort(key=lambda r: (r[0], r[1]), reverse=True)  # ties: the later record is newer
        kept.extend((ident, etype) for _, _, ident in rows[:per_type])
    return kept


def _event_type_matches(values: set[str]) -> Callable[[str], bool]:
    if "*" in values:
        return lambda etype: True
    wanted = {v.lower() for v in values}
    return lambda etype: etype in wanted


def _cell_values(cell: Any, split: bool) -> list[str]:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)) or cell is pd.NA:
        return []
    text = _as_text(cell)
    if split and "|" in text:
        return [text, *text.split("|")]
    return [text]


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


class _Evaluation:
    """One ``Filter.mask`` call: candidates, context and per-call caches."""

    def __init__(self, target: str, candidate_ids: Sequence[str], ctx: FilterContext):
        self.target = target
        self.ctx = ctx
        self.ids = pd.Index(np.asarray(candidate_ids, dtype=object))
        self.n = len(self.ids)
        self._positions: dict[str, np.ndarray] = {}
        self._current_item: pd.Series | None | bool = False  # False: not looked up yet

    # -- where clause ---------------------------------------------------------------

    def where(self, expr: Expression, params: Mapping[str, list[str]]) -> np.ndarray:
        result = np.zeros(self.n, dtype=bool)
        for group in expr.where:
            hit = np.ones(self.n, dtype=bool)
            for cond in group:
                hit &= self.condition(cond, params)
                if not hit.any():
                    break
            result |= hit
        return result

    def condition(self, cond: Condition, params: Mapping[str, list[str]]) -> np.ndarray:
        if cond.field.dataset in INTERACTION_DATASETS:
            return self.interaction_condition(cond, params)
        if cond.is_comparison:
            return self.comparison(cond, params)
        hit = self.membership(cond.field, self.list_values(cond, params))
        return ~hit if cond.op == "NOT IN" else hit

    def list_values(self, cond: Condition, params: Mapping[str, list[str]]) -> set[str]:
        values: set[str] = set()
        literals = [op for op in cond.operands if isinstance(op, Literal)]
        for op in cond.operands:
            if isinstance(op, Literal):
                values.add(op.text)
            elif isinstance(op, Param):
                values.update(params[op.name])
            else:
                values.update(self.current_item_values(op))
        if len(cond.operands) == 1 and literals and literals[0].quoted and "," in literals[0].text:
            values.update(part.strip() for part in literals[0].text.split(","))
        return values

    def positions(self, dataset: str) -> np.ndarray:
        """Row position of each candidate in the dataset's frame (-1: absent)."""
        if dataset not in self._positions:
            frame = self.ctx.frame(dataset)
            if frame is None:
                pos = np.full(self.n, -1, dtype=np.intp)
            else:
                index = frame.index
                if not index.is_unique:
                    # newest record wins: keep the last row of each id
                    keep = ~index.duplicated(keep="last")
                    pos_unique = index[keep].get_indexer(self.ids)
                    rows = np.flatnonzero(keep)
                    pos = np.where(pos_unique >= 0, rows[pos_unique], -1)
                else:
                    pos = index.get_indexer(self.ids)
            self._positions[dataset] = np.asarray(pos, dtype=np.intp)
        return self._positions[dataset]

    def column(self, ref: FieldRef) -> pd.Series | None:
        frame = self.ctx.frame(ref.dataset)
        if frame is None:
            return None
        name = _resolve_name(frame.columns, ref.column)
        if name is not None:
            return frame[name]
        if frame.index.name is not None and str(frame.index.name).lower() == ref.column.lower():
            return pd.Series(frame.index, index=frame.index)
        return None

    def splits(self, ref: FieldRef) -> bool:
        kinds = self.ctx.field_kinds
        if kinds is None:
            return True
        by_name = {DATASET_NAMES.get(k.lower(), k): v for k, v in kinds.items()}
        columns = by_name.get(ref.dataset, {})
        name = _resolve_name(columns.keys(), ref.column)
        return name is None or str(columns[name]).lower() == "categorical"

    def membership(self, ref: FieldRef, values: set[str]) -> np.ndarray:
        col = self.column(ref)
        if col is None or not values:
            return np.zeros(self.n, dtype=bool)
        pos = self.positions(ref.dataset)
        if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
            numbers = [float(v) for v in values if _is_number(v)]
            data = col.to_numpy(dtype=float, na_value=np.nan)
            hit_rows = np.isin(data, numbers) if numbers else np.zeros(len(data), dtype=bool)
            return _gather(hit_rows, pos, False)
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        split = self.splits(ref)
        # lookup table over distinct cells; the extra last slot (False) serves code -1
        table = np.zeros(len(uniques) + 1, dtype=bool)
        for k, cell in enumerate(uniques):
            table[k] = any(v in values for v in _cell_values(cell, split))
        row_codes = _gather(codes, pos, -1)
        return table[row_codes]

    def numeric_column(self, ref: FieldRef) -> np.ndarray:
        """The column as floats aligned to the candidates (NaN: missing)."""
        col = self.column(ref)
        if col is None:
            return np.full(self.n, np.nan)
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            data = (col - pd.Timestamp(0, tz=col.dt.tz)) / pd.Timedelta(seconds=1)
            data = data.to_numpy(dtype=float, na_value=np.nan)
        else:
            data = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        pos = self.positions(ref.dataset)
        return _gather(data, pos, np.nan)

    def comparison(self, cond: Condition, params: Mapping[str, list[str]]) -> np.ndarray:
        bound = self.scalar(cond, params)
        if bound is None:
            return np.zeros(self.n, dtype=bool)
        data = self.numeric_column(cond.field)
        with np.errstate(invalid="ignore"):
            return _COMPARE[cond.op](data, bound) & ~np.isnan(data)

    def scalar(self, cond: Condition, params: Mapping[str, list[str]]) -> float | None:
        """The number a comparison compares with (None: no value, nothing matches)."""
        (op,) = cond.operands
        if isinstance(op, Literal):
            return float(op.text)
        if isinstance(op, Param):
            values = params[op.name]
            if len(values) != 1 or not _is_number(values[0]):
                raise FilterError(
                    f"Invalid filterValues: ${op.name} is compared with '{cond.op}' and needs "
                    f"exactly one number, got {', '.join(repr(v) for v in values)}",
                    op.position,
                )
            return float(values[0])
        row = self.current_item_row(op)
        if row is None:
            return None
        name = _resolve_name(row.index, op.column)
        value = pd.to_numeric(pd.Series([row[name] if name else None]), errors="coerce")[0]
        return None if pd.isna(value) else float(value)

    # -- CurrentItem / CurrentUser --------------------------------------------------

    def current_item_row(self, ref: FieldRef) -> pd.Series | None:
        if self.ctx.current_item_id is None:
            raise FilterError(
                f"Invalid filter expression at position {ref.position} near '{ref}': the "
                "filter uses CurrentItem, so the request needs an itemId",
                ref.position,
            )
        if self._current_item is False:
            self._current_item = _row(self.ctx.items, self.ctx.current_item_id)
        return self._current_item  # type: ignore[return-value]

    def current_item_values(self, ref: FieldRef) -> list[str]:
        row = self.current_item_row(ref)
        if row is None:
            return []
        name = _resolve_name(row.index, ref.column)
        if name is None:
            return []
        cells = _cell_values(row[name], split=True)
        return cells[1:] if len(cells) > 1 else cells

    def user_condition_holds(self, expr: Expression, params: Mapping[str, list[str]]) -> bool:
        row = _row(self.ctx.users, self.ctx.user_id) if self.ctx.user_id is not None else None
        if row is None:
            return False
        for cond in expr.if_conditions:
            name = _resolve_name(row.index, cond.field.column)
            cell = row[name] if name is not None else None
            if cond.is_comparison:
                bound = self.scalar(cond, params)
                value = pd.to_numeric(pd.Series([cell]), errors="coerce")[0]
                if bound is None or pd.isna(value) or not _COMPARE[cond.op](float(value), bound):
                    return False
            else:
                inside = bool(set(_cell_values(cell, split=True)) & self.list_values(cond, params))
                if inside == (cond.op == "NOT IN"):
                    return False
        return True

    # -- interactions ---------------------------------------------------------------

    def interaction_condition(self, cond: Condition, params: Mapping[str, list[str]]) -> np.ndarray:
        matches = _event_type_matches(self.list_values(cond, params))
        negate = cond.op == "NOT IN"
        if self.target == "UserID":
            return self.users_with_events(matches, negate)
        if cond.field.dataset == ACTION_INTERACTIONS:
            records = _recent(
                self.ctx.user_action_interactions, RECENT_ACTION_INTERACTIONS_PER_EVENT_TYPE
            )
        else:
            records = _recent(self.ctx.user_interactions, RECENT_INTERACTIONS_PER_EVENT_TYPE)
        hit_ids = {str(ident) for ident, etype in records if matches(etype) != negate}
        return self.ids.isin(hit_ids) if hit_ids else np.zeros(self.n, dtype=bool)

    def users_with_events(self, matches: Callable[[str], bool], negate: bool) -> np.ndarray:
        source = self.ctx.item_interactions_by_user
        if source is None:
            return np.zeros(self.n, dtype=bool)
        if isinstance(source, pd.DataFrame):
            users_col = _resolve_name(source.columns, "USER_ID")
            types_col = _resolve_name(source.columns, "EVENT_TYPE")
            if users_col is None:
                raise FilterError("UserID interaction filters need a USER_ID column")
            if types_col is None:
                etypes = pd.Series("", index=source.index)
            else:
                etypes = source[types_col].astype("string").str.lower().fillna("")
            distinct = etypes.unique()
            wanted = {t for t in distinct if matches(t) != negate}
            users = source.loc[etypes.isin(wanted).to_numpy(), users_col].astype(str).unique()
            return self.ids.isin(users)
        lookup = source if callable(source) else (lambda uid: source.get(uid, ()))
        out = np.zeros(self.n, dtype=bool)
        for k, uid in enumerate(self.ids):
            for rec in lookup(uid) or ():
                _, event_type, _ = _record(rec)
                etype = "" if event_type is None else str(event_type).lower()
                if matches(etype) != negate:
                    out[k] = True
                    break
        return out


def _row(frame: pd.DataFrame | None, key: str) -> pd.Series | None:
    if frame is None or key is None:
        return None
    try:
        row = frame.loc[key]
    except KeyError:
        return None
    if isinstance(row, pd.DataFrame):  # duplicated id: the newest (last) record wins
        row = row.iloc[-1]
    return row


def _gather(data: np.ndarray, pos: np.ndarray, fill: Any) -> np.ndarray:
    """``data[pos]`` with ``fill`` where ``pos`` is -1."""
    if len(data) == 0:
        return np.full(len(pos), fill, dtype=np.asarray([fill]).dtype)
    return np.where(pos >= 0, data[np.maximum(pos, 0)], fill)
