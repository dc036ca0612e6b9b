"""What batch inference and batch segment jobs share: their files and their common checks.

Files: JSON-lines input read from S3 (or disk), ``<input name>.out`` written back.

Both batch job kinds read their input in the request thread (:func:`read_input`), so a path
that names nothing, a folder without files, or undecodable bytes is an
``InvalidInputException`` from the Create call and no job record is made. A path ending in
``/`` is a folder: every object under it is one input file (at most :data:`MAX_INPUT_FILES`).

Each non-blank line is one query. :func:`parse_line` turns it into a JSON object, or a reason
why it is not one; the job then writes an answer line per query -- the failures as
:func:`error_line` -- so one bad line never stops the others. :func:`write_output` puts the
answer lines of one input file at ``<output path>/<input file name>.out``.

:class:`BatchJob` is the job both kinds run: load the version's model once, answer every line
of every input file, write one ``.out`` per input and count the lines answered and failed;
:func:`start_job` stores a new job record and submits it.

Checks both Create operations make: the solution version is ACTIVE (ResourceInUseException
otherwise), at most :data:`MAX_RUNNING` jobs of a kind are pending or running per region
(LimitExceededException), ``numResults`` is in range, and a ``filterArn`` is an ACTIVE filter
of the version's dataset group with the right target (``ItemID`` for inference, ``UserID``
for segments), compiled once for every line of the job.
"""

from __future__ import annotations

import json
import posixpath
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..data import SourceError, read_bytes, write_s3
from ..data.sources import is_s3, list_objects
from ..engines import registry
from ..engines.base import Model
from ..protocol.errors import InvalidInputException, LimitExceededException
from . import lifecycle, models
from .common import ensure_new, get_record, start_create
from .jobs import JobContext
from .realtime import CompiledFilter, compile_filter
from .store import Store

INPUT_MEMBER = "jobInput.s3DataSource.path"
OUTPUT_MEMBER = "jobOutput.s3DataDestination.path"
MAX_INPUT_FILES = 1000
MAX_RUNNING = 5
DEFAULT_RESULTS = 25


@dataclass(frozen=True)
class InputFile:
    uri: str
    name: str  # the object's base name, e.g. users.json
    lines: tuple[str, ...]  # non-blank lines, in order


def _base_name(uri: str) -> str:
    path = uri[len("s3://") :].partition("/")[2] if is_s3(uri) else uri
    return posixpath.basename(path.rstrip("/"))


def _read_one(store: Store, uri: str) -> InputFile:
    try:
        raw = read_bytes(store.account_id, store.region, uri)
    except SourceError as exc:
        raise InvalidInputException(f"Invalid parameter {INPUT_MEMBER}: {exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInputException(
            f"Invalid parameter {INPUT_MEMBER}: {uri} is not UTF-8 text (JSON lines expected)."
        ) from None
    lines = tuple(line for line in text.splitlines() if line.strip())
    return InputFile(uri=uri, name=_base_name(uri), lines=lines)


def read_input(store: Store, path: str) -> list[InputFile]:
    """The input files ``path`` names (one object, or every object under a folder)."""
    if not path.endswith("/"):
        return [_read_one(store, path)]
    try:
        uris = [
            u for u in list_objects(store.account_id, store.region, path) if not u.endswith("/")
        ]
    except SourceError as exc:
        raise InvalidInputException(f"Invalid parameter {INPUT_MEMBER}: {exc}") from None
    if not uris:
        raise InvalidInputException(
            f"Invalid parameter {INPUT_MEMBER}: the folder {path} holds no input files."
        )
    if len(uris) > MAX_INPUT_FILES:
        raise InvalidInputException(
            f"Invalid parameter {INPUT_MEMBER}: the folder {path} holds {len(uris)} files; a"
            f" batch job reads at most {MAX_INPUT_FILES}."
        )
    return [_read_one(store, uri) for uri in uris]


def check_output_path(path: str) -> None:
    """The output location must be an S3 (or local) folder, not the object key of a file."""
    if is_s3(path):
        bucket = path[len("s3://") :].partition("/")[0]
        if not bucket:
            raise InvalidInputException(
                f"Invalid parameter {OUTPUT_MEMBER}: {path} names no bucket."
            )
    elif not path.startswith(("file://", "/")):
        raise InvalidInputException(
            f"Invalid parameter {OUTPUT_MEMBER}: {path} is not an s3://bucket/folder/ location."
        )


def output_uri(output_path: str, input_name: str) -> str:
    """Where the answers to ``input_name`` go: ``<output path>/<input name>.out``."""
    return f"{output_path.rstrip('/')}/{input_name}.out"


def parse_line(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """``(query, None)`` for a JSON object line, else ``(None, reason)``."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        return None, f"Invalid JSON input line: {exc}."
    if not isinstance(value, dict):
        return None, "Invalid input line: expected a JSON object."
    return value, None


def error_line(input_value: Any, message: str) -> dict[str, Any]:
    """The answer to a query that could not be answered; ``input`` echoes what was read."""
    return {"input": input_value, "output": None, "error": message}


def write_output(store: Store, uri: str, answers: Iterable[dict[str, Any]]) -> None:
    """Write answer lines (JSON objects) to ``uri``; ``SourceError`` fails the job."""
    body = "".join(json.dumps(a, separators=(",", ":"), ensure_ascii=False) + "\n" for a in answers)
    write_s3(store.account_id, store.region, uri, body.encode("utf-8"))


# --- checks both Create operations make ------------------------------------------------------


def active_version(store: Store, arn: str) -> tuple[Any, registry.RecipeSpec]:
    """Under the lock: the ACTIVE solution version ``arn`` names, and its recipe."""
    version = get_record(store, "solution-version", arn, "solutionVersionArn")
    lifecycle.require_status(version.arn, version.status, lifecycle.ACTIVE)
    spec = registry.get_recipe(version.recipe_arn or "")
    if spec is None:
        raise InvalidInputException(f"Solution version {arn} has no recipe.")
    return version, spec


def check_running(store: Store, kind: str, label: str) -> None:
    """At most MAX_RUNNING jobs of ``kind`` pending or in progress in the region."""
    running = [r for r in store.records[kind].values() if lifecycle.is_in_progress(r.status)]
    if len(running) >= MAX_RUNNING:
        raise LimitExceededException(
            f"More than {MAX_RUNNING} {label}s with PENDING or IN_PROGRESS status."
        )


def results(num_results: int | None, maximum: int, what: str) -> int:
    """``numResults`` with its default, checked against 1..``maximum``."""
    n = DEFAULT_RESULTS if num_results is None else int(num_results)
    if not 1 <= n <= maximum:
        raise InvalidInputException(
            f"Invalid parameter numResults: {n} {what}; give a number from 1 to {maximum}."
        )
    return n


def job_filter(store: Store, filter_arn: str | None, dataset_group_arn: str,
               target: str) -> CompiledFilter | None:  # fmt: skip
    """The job's filter compiled against the group's data (None without a filter)."""
    if not filter_arn:
        return None
    compiled = compile_filter(store, filter_arn, dataset_group_arn=dataset_group_arn)
    if compiled.target != target:
        raise InvalidInputException(
            f"Invalid parameter filterArn: filter {filter_arn} selects {compiled.target}s; this"
            f" job needs a filter on {target}."
        )
    return compiled


def filter_values(query: dict[str, Any]) -> dict[str, str] | None:
    """A line's ``filterValues`` (a JSON object of strings), or ValueError naming the problem."""
    values = query.get("filterValues")
    if values is None:
        return None
    if not isinstance(values, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in values.items()
    ):
        raise ValueError(
            'filterValues must be an object of strings, e.g. {"GENRES": "\\"comedy\\""}.'
        )
    return values


def string_member(query: dict[str, Any], member: str, required: bool) -> str | None:
    """A line's id member, checked: a non-empty string (ValueError when missing or wrong)."""
    value = query.get(member)
    if value is None:
        if required:
            raise ValueError(f"The input line has no {member}.")
        return None
    if not isinstance(value, str) or not value:
        raise ValueError(f"{member} must be a non-empty string.")
    return value


# --- the job both kinds run --------------------------------------------------------------------


class BatchJob(ABC):
    """One batch job's work. Subclasses give :meth:`output` (the answer to one query, or
    ``ValueError`` / ``InvalidInputException`` saying why there is none) and may change
    :meth:`echo` (how an answer line repeats its query) and :meth:`load`."""

    def __init__(self, store: Store, record: Any, version: Any, compiled: CompiledFilter | None,
                 inputs: Sequence[InputFile]):  # fmt: skip
        self.store, self.record, self.version = store, record, version
        self.compiled, self.inputs = compiled, inputs
        self.n = record.num_results or DEFAULT_RESULTS
        self.model: Model | None = None

    def load(self) -> None:
        """In the job thread, before the first line: what every answer needs."""
        self.model = models.get(self.store, self.version)

    def run(self, ctx: JobContext) -> tuple[list[str], int, int]:
        self.load()
        written, answered, failed = [], 0, 0
        for source in self.inputs:
            answers = [self.answer(line) for line in source.lines]
            failed += sum(a["error"] is not None for a in answers)
            answered += sum(a["error"] is None for a in answers)
            uri = output_uri(self.record.job_output["s3DataDestination"]["path"], source.name)
            write_output(self.store, uri, answers)
            written.append(uri)
            ctx.progress(f"{source.uri}: {len(answers)} lines -> {uri}")
        return written, answered, failed

    def publish(self, result: tuple[list[str], int, int]) -> None:
        self.record.outputs_written, self.record.lines_answered, self.record.lines_failed = result

    def echo(self, query: dict[str, Any]) -> dict[str, Any]:
        return {"input": query}

    @abstractmethod
    def output(self, query: dict[str, Any]) -> dict[str, Any]: ...

    def answer(self, line: str) -> dict[str, Any]:
        query, error = parse_line(line)
        if query is None:
            return error_line(line, error or "Invalid input line.")
        try:
            output = self.output(query)
        except (ValueError, InvalidInputException) as exc:  # EngineError, FilterError: ValueError
            message = getattr(exc, "message", None) or str(exc)
            return {**self.echo(query), "output": None, "error": message}
        return {**self.echo(query), "output": output, "error": None}


def start_job(store: Store, kind: str, record: Any, tags: dict[str, str], job: BatchJob) -> None:
    """Store a new job ``record`` with its ``tags`` and submit ``job``; the name is checked
    again since the input was read outside the lock."""
    with store.lock:
        ensure_new(store, kind, record.arn)
        start_create(store, kind, record, tags, job.run, on_success=job.publish)
