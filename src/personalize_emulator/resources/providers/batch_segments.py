"""Batch segment jobs: CreateBatchSegmentJob, DescribeBatchSegmentJob, ListBatchSegmentJobs.

A segment job runs a USER_SEGMENTATION solution version (aws-item-affinity or
aws-item-attribute-affinity) over a JSON-lines file of queries (api-surface §9.2):

* Item-Affinity, at most 500 lines: ``{"itemId": "105"}`` ->
  ``{"input": {"itemId": "105"}, "output": {"recommendedUsers": [...]}, "error": null}``;
* Item-Attribute-Affinity, at most 10 lines:
  ``{"itemAttributes": "ITEMS.genres = \\"Comedy\\" AND ..."}`` ->
  ``{"itemAttributes": "...", "output": {"recommendedUsers": [...]}, "error": null}`` -- the
  guide's output for this recipe echoes the query at the top level rather than under ``input``.

``numResults`` is the number of users per segment (default 25, at most 5 million), most likely
first. Checks made at once: the version is ACTIVE and a segmentation one, the filter (if any)
is a ``UserID`` filter of the version's group (Interactions filters cannot be used with
Item-Attribute-Affinity), the input file is readable and within its line limit. A line that is
not JSON, lacks its query member, holds a query that does not parse
(``engines.filters.parse_item_attribute_query``) or names an item / attribute the model did not
see at training gets an error line; the other lines are still answered. A line's
``filterValues`` fill the filter's parameters for that line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...engines import registry, serving
from ...engines.base import Query
from ...engines.filters import parse_item_attribute_query
from ...protocol.errors import InvalidInputException
from .. import arns, batch_io
from ..batch_records import BatchSegmentJobRecord
from ..common import (
    ensure_new,
    get_record,
    list_operation,
    status_summary,
    tags_from_wire,
)
from ..handlers import handler
from ..realtime import CompiledFilter
from ..store import Store

KIND = "batch-segment-job"
MAX_USERS = 5_000_000
ITEM_AFFINITY = "aws-item-affinity"
ATTRIBUTE_AFFINITY = "aws-item-attribute-affinity"
#: recipe -> (the line's query member, the most lines an input file may hold)
QUERIES = {ITEM_AFFINITY: ("itemId", 500), ATTRIBUTE_AFFINITY: ("itemAttributes", 10)}


def _check_recipe(spec: registry.RecipeSpec) -> tuple[str, int]:
    if spec.name not in QUERIES:
        raise InvalidInputException(
            f"Invalid parameter solutionVersionArn: batch segment jobs need an"
            f" {ITEM_AFFINITY} or {ATTRIBUTE_AFFINITY} solution version; this one uses"
            f" {spec.name} ({spec.use_case}). Use CreateBatchInferenceJob for item"
            " recommendations."
        )
    return QUERIES[spec.name]


def _check_lines(inputs: Sequence[batch_io.InputFile], spec: registry.RecipeSpec,
                 limit: int) -> None:  # fmt: skip
    for source in inputs:
        if len(source.lines) > limit:
            raise InvalidInputException(
                f"Invalid parameter {batch_io.INPUT_MEMBER}: {source.uri} has"
                f" {len(source.lines)} queries; {spec.name} batch segment jobs take at most"
                f" {limit} per input file."
            )


# --- wire shapes -------------------------------------------------------------------------------


def _summary(j: BatchSegmentJobRecord) -> dict[str, Any]:
    return {
        **status_summary(j, "batchSegmentJobArn", name_member="jobName"),
        "solutionVersionArn": j.solution_version_arn,
    }


def _describe(j: BatchSegmentJobRecord) -> dict[str, Any]:
    return {
        **_summary(j),
        "filterArn": j.filter_arn,
        "numResults": j.num_results,
        "jobInput": j.job_input,
        "jobOutput": j.job_output,
        "roleArn": j.role_arn,
    }


# --- handlers ----------------------------------------------------------------------------------


@handler("personalize", "CreateBatchSegmentJob")
def create_batch_segment_job(
    store: Store,
    *,
    jobName: str,
    solutionVersionArn: str,
    jobInput: dict[str, Any],
    jobOutput: dict[str, Any],
    roleArn: str,
    filterArn: str | None = None,
    numResults: int | None = None,
    tags: list[dict[str, str]] | None = None,
) -> dict:
    checked_tags = tags_from_wire(tags)
    n = batch_io.results(numResults, MAX_USERS, "users per segment")
    arn = arns.build(KIND, jobName, region=store.region, account=store.account_id)
    output_path = jobOutput["s3DataDestination"]["path"]
    with store.lock:
        ensure_new(store, KIND, arn)
        version, spec = batch_io.active_version(store, solutionVersionArn)
        member, limit = _check_recipe(spec)
        batch_io.check_running(store, KIND, "batch segment job")
        compiled = batch_io.job_filter(store, filterArn, version.dataset_group_arn, "UserID")
        if compiled is not None and spec.name == ATTRIBUTE_AFFINITY:
            if compiled.filter.uses_interactions:
                raise InvalidInputException(
                    f"Invalid parameter filterArn: filter {filterArn} reads Interactions, which"
                    f" cannot be used with {ATTRIBUTE_AFFINITY}."
                )
        batch_io.check_output_path(output_path)
    inputs = batch_io.read_input(store, jobInput["s3DataSource"]["path"])
    _check_lines(inputs, spec, limit)
    record = BatchSegmentJobRecord(
        arn=arn,
        name=jobName,
        solution_version_arn=version.arn,
        dataset_group_arn=version.dataset_group_arn,
        job_input=jobInput,
        job_output=jobOutput,
        role_arn=roleArn,
        filter_arn=filterArn,
        num_results=n,
    )
    job = _Segments(store, record, version, member, compiled, inputs)
    batch_io.start_job(store, KIND, record, checked_tags, job)
    return {"batchSegmentJobArn": arn}


@handler("personalize", "DescribeBatchSegmentJob")
def describe_batch_segment_job(store: Store, *, batchSegmentJobArn: str) -> dict:
    with store.lock:
        record = get_record(store, KIND, batchSegmentJobArn, "batchSegmentJobArn")
        return {"batchSegmentJob": _describe(record)}


list_batch_segment_jobs = list_operation(
    "ListBatchSegmentJobs",
    KIND,
    "batchSegmentJobs",
    _summary,
    ("solutionVersionArn", "solution-version"),
)

# --- the job -----------------------------------------------------------------------------------


class _Segments(batch_io.BatchJob):
    """One job's work: a segment of users per input line, written to ``<name>.out``."""

    def __init__(self, store: Store, record: BatchSegmentJobRecord, version: Any, member: str,
                 compiled: CompiledFilter | None,
                 inputs: Sequence[batch_io.InputFile]):  # fmt: skip
        super().__init__(store, record, version, compiled, inputs)
        self.member = member

    def echo(self, query: dict[str, Any]) -> dict[str, Any]:
        if self.member == "itemAttributes":
            return {"itemAttributes": query.get("itemAttributes")}
        return {"input": query}

    def output(self, query: dict[str, Any]) -> dict[str, Any]:
        return {"recommendedUsers": self._segment(query)}

    def _segment(self, query: dict[str, Any]) -> list[str]:
        model = self.model
        assert model is not None
        text = batch_io.string_member(query, self.member, True)
        if self.member == "itemAttributes":
            parse_item_attribute_query(text)  # the grammar's own error, with its position
            question = Query(item_attributes=text)
        else:
            question = Query(item_id=text)
        values = batch_io.filter_values(query)
        mask = None
        if self.compiled is not None:
            mask = self.compiled.mask(list(model.user_ids), filter_values=values)
        return [user for user, _ in serving.segment(model, question, self.n, mask=mask)]
