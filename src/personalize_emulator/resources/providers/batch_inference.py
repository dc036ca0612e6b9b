"""Batch inference jobs: CreateBatchInferenceJob, DescribeBatchInferenceJob,
ListBatchInferenceJobs.

CreateBatchInferenceJob checks everything it can at once -- the version is ACTIVE and of a recipe
batch inference serves (not Trending-Now, Next-Best-Action or the segmentation recipes), the
mode fits the recipe (THEME_GENERATION is Similar-Items only), the configuration fits the recipe
(``itemExplorationConfig`` only where it explores, ``rankingInfluence`` only for
Semantic-Similarity), the filter -- and reads the input file(s) in the request thread. The job
then loads the version's model and answers every input line (api-surface §9.1):

* USER_PERSONALIZATION ``{"userId"}`` -> ``recommendedItems`` and ``scores``;
* POPULAR_ITEMS ``{"userId"?}`` -> ``recommendedItems`` (no scores; the userId only matters to
  user-dependent filters);
* PERSONALIZED_RANKING ``{"userId", "itemList"}`` -> the list re-ranked, with ``scores``
  (``null`` for items unknown to the model, which come last);
* RELATED_ITEMS ``{"itemId"}`` -> ``recommendedItems`` (scores only where the recipe gives them).

Each answer line is ``{"input": <the line>, "output": {...}, "error": null}``; a line that is
not a JSON object, lacks the id the recipe needs, or whose ``filterValues`` do not fit the
filter gets ``"output": null`` and ``"error"`` saying why, and the other lines are still
answered. Serving is ``engines.serving``'s, as at runtime: custom recipes do not drop the
user's own items, filters are applied per line with the line's ``filterValues``.

THEME_GENERATION (choice where the sources are silent, api-surface §10.9): the Items column
named by ``themeGenerationConfig.fieldsForThemeGeneration.itemName`` must exist in the group's
Items dataset (InvalidInputException otherwise). Each line's output adds ``theme`` -- the (up to
three) words that best characterise the recommended items' names, each word weighted by how
often it occurs among them and how rare it is in the catalogue -- and
``itemsThemeRelevanceScores``, per recommended item the share of the theme's words its name
contains. No language model is involved.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...engines import registry, serving
from ...engines.base import EngineError, Query
from ...protocol.errors import InvalidInputException
from .. import arns, batch_io, datastore, realtime
from ..batch_records import BatchInferenceJobRecord
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
from .recommenders import check_exploration, exploration_of

KIND = "batch-inference-job"
MAX_RESULTS = 500
MAX_RANKING_ITEMS = 500
MODES = ("BATCH_INFERENCE", "THEME_GENERATION")
THEME_RECIPE = "aws-similar-items"
THEME_WORDS = 3
SERVED = frozenset({"USER_PERSONALIZATION", "POPULAR_ITEMS", "PERSONALIZED_RANKING",
                    "RELATED_ITEMS"})  # fmt: skip
NOT_IN_BATCH = {"aws-trending-now": "Trending-Now recommendations are real time only"}
_WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)
_STOP_WORDS = frozenset(
    "a an and are as at be by for from in into is it its of on or the to with".split()
)


# --- checks ------------------------------------------------------------------------------------


def _check_recipe(spec: registry.RecipeSpec, mode: str) -> None:
    if spec.name in NOT_IN_BATCH:
        raise InvalidInputException(
            f"Invalid parameter solutionVersionArn: {NOT_IN_BATCH[spec.name]}; recipe"
            f" {spec.name} does not support batch inference jobs."
        )
    if spec.use_case == "USER_SEGMENTATION":
        raise InvalidInputException(
            f"Invalid parameter solutionVersionArn: {spec.name} is a USER_SEGMENTATION recipe;"
            " use CreateBatchSegmentJob."
        )
    if spec.use_case not in SERVED:
        raise InvalidInputException(
            f"Invalid parameter solutionVersionArn: {spec.use_case} recipe {spec.name} does not"
            " support batch inference jobs."
        )
    if mode == "THEME_GENERATION" and spec.name != THEME_RECIPE:
        raise InvalidInputException(
            "Invalid parameter batchInferenceJobMode: THEME_GENERATION is only available for"
            f" {THEME_RECIPE} solution versions; this one uses {spec.name}."
        )


def _check_config(config: dict[str, Any] | None, spec: registry.RecipeSpec) -> None:
    check_exploration(config, spec, "batchInferenceJobConfig")
    influence = (config or {}).get("rankingInfluence")
    if influence is None:
        return
    if spec.name != "aws-semantic-similarity":
        raise InvalidInputException(
            "Invalid parameter batchInferenceJobConfig.rankingInfluence: only"
            " aws-semantic-similarity solution versions take a ranking influence."
        )
    for key, value in influence.items():
        if not 0.0 <= float(value) <= 1.0:
            raise InvalidInputException(
                f"Invalid parameter batchInferenceJobConfig.rankingInfluence.{key}: {value} is"
                " not between 0 and 1."
            )


def _theme_column(store: Store, mode: str, config: dict[str, Any] | None,
                  group_arn: str) -> str | None:  # fmt: skip
    """The Items column themes are built from (THEME_GENERATION), checked against the schema."""
    if mode != "THEME_GENERATION":
        if config:
            raise InvalidInputException(
                "Invalid parameter themeGenerationConfig: it is only used with"
                " batchInferenceJobMode THEME_GENERATION."
            )
        return None
    column = ((config or {}).get("fieldsForThemeGeneration") or {}).get("itemName")
    if not column:
        raise InvalidInputException(
            "Invalid parameter themeGenerationConfig: THEME_GENERATION needs"
            " themeGenerationConfig.fieldsForThemeGeneration.itemName, the Items column holding"
            " item names."
        )
    items = realtime.dataset_of(store, group_arn, "ITEMS")
    if items is None:
        raise InvalidInputException(
            "Invalid parameter themeGenerationConfig.fieldsForThemeGeneration.itemName: the"
            f" dataset group {group_arn} has no Items dataset to read item names from."
        )
    field = datastore.table_for(store, items).parsed.field(column)
    if field is None or field.avro_type != "string":
        raise InvalidInputException(
            "Invalid parameter themeGenerationConfig.fieldsForThemeGeneration.itemName: the"
            f" Items schema has no string field {column}."
        )
    return column


# --- wire shapes -------------------------------------------------------------------------------


def _summary(j: BatchInferenceJobRecord) -> dict[str, Any]:
    return {
        **status_summary(j, "batchInferenceJobArn", name_member="jobName"),
        "solutionVersionArn": j.solution_version_arn,
        "batchInferenceJobMode": j.mode,
    }


def _describe(j: BatchInferenceJobRecord) -> dict[str, Any]:
    return {
        **_summary(j),
        "filterArn": j.filter_arn,
        "numResults": j.num_results,
        "jobInput": j.job_input,
        "jobOutput": j.job_output,
        "batchInferenceJobConfig": j.batch_inference_job_config,
        "roleArn": j.role_arn,
        "themeGenerationConfig": j.theme_generation_config,
    }


# --- handlers ----------------------------------------------------------------------------------


@handler("personalize", "CreateBatchInferenceJob")
def create_batch_inference_job(
    store: Store,
    *,
    jobName: str,
    solutionVersionArn: str,
    jobInput: dict[str, Any],
    jobOutput: dict[str, Any],
    roleArn: str,
    filterArn: str | None = None,
    numResults: int | None = None,
    batchInferenceJobConfig: dict[str, Any] | None = None,
    batchInferenceJobMode: str | None = None,
    themeGenerationConfig: dict[str, Any] | None = None,
    tags: list[dict[str, str]] | None = None,
) -> dict:
    checked_tags = tags_from_wire(tags)
    mode = batchInferenceJobMode or "BATCH_INFERENCE"
    n = batch_io.results(numResults, MAX_RESULTS, "results per input line")
    arn = arns.build(KIND, jobName, region=store.region, account=store.account_id)
    output_path = jobOutput["s3DataDestination"]["path"]
    with store.lock:
        ensure_new(store, KIND, arn)
        version, spec = batch_io.active_version(store, solutionVersionArn)
        _check_recipe(spec, mode)
        _check_config(batchInferenceJobConfig, spec)
        theme_column = _theme_column(store, mode, themeGenerationConfig, version.dataset_group_arn)
        batch_io.check_running(store, KIND, "batch inference job")
        compiled = batch_io.job_filter(store, filterArn, version.dataset_group_arn, "ItemID")
        batch_io.check_output_path(output_path)
    inputs = batch_io.read_input(store, jobInput["s3DataSource"]["path"])
    record = BatchInferenceJobRecord(
        arn=arn,
        name=jobName,
        solution_version_arn=version.arn,
        dataset_group_arn=version.dataset_group_arn,
        job_input=jobInput,
        job_output=jobOutput,
        role_arn=roleArn,
        filter_arn=filterArn,
        num_results=n,
        batch_inference_job_config=batchInferenceJobConfig,
        mode=mode,
        theme_generation_config=themeGenerationConfig,
    )
    job = _Inference(store, record, version, spec, compiled, inputs, theme_column)
    batch_io.start_job(store, KIND, record, checked_tags, job)
    return {"batchInferenceJobArn": arn}


@handler("personalize", "DescribeBatchInferenceJob")
def describe_batch_inference_job(store: Store, *, batchInferenceJobArn: str) -> dict:
    with store.lock:
        record = get_record(store, KIND, batchInferenceJobArn, "batchInferenceJobArn")
        return {"batchInferenceJob": _describe(record)}


list_batch_inference_jobs = list_operation(
    "ListBatchInferenceJobs",
    KIND,
    "batchInferenceJobs",
    _summary,
    ("solutionVersionArn", "solution-version"),
)

# --- the job -----------------------------------------------------------------------------------


class _Inference(batch_io.BatchJob):
    """One job's work: answer each line of each input file, write ``<name>.out`` files."""

    def __init__(self, store: Store, record: BatchInferenceJobRecord, version: Any,
                 spec: registry.RecipeSpec, compiled: CompiledFilter | None,
                 inputs: Sequence[batch_io.InputFile], theme_column: str | None):  # fmt: skip
        super().__init__(store, record, version, compiled, inputs)
        self.spec, self.theme_column = spec, theme_column
        self.exploration = exploration_of(record.batch_inference_job_config, spec)
        self.names: dict[str, str] = {}

    def load(self) -> None:
        super().load()
        if self.theme_column is not None:
            self.names = self._item_names()

    def _mask(self, candidates: Sequence[str], query: dict[str, Any], user_id: str | None,
              item_id: str | None) -> np.ndarray | None:  # fmt: skip
        values = batch_io.filter_values(query)
        if self.compiled is None:
            return None
        return self.compiled.mask(candidates, user_id=user_id, item_id=item_id,
                                  filter_values=values)  # fmt: skip

    def output(self, query: dict[str, Any]) -> dict[str, Any]:
        model, use_case = self.model, self.spec.use_case
        assert model is not None
        if use_case == "PERSONALIZED_RANKING":
            return self._ranking(query)
        related = use_case == "RELATED_ITEMS"
        user_id = batch_io.string_member(query, "userId", use_case == "USER_PERSONALIZATION")
        item_id = batch_io.string_member(query, "itemId", related)
        mask = self._mask(list(model.item_ids), query, user_id, item_id)
        ranked = serving.recommend(
            model,
            Query(user_id=user_id, item_id=item_id if related else None),
            self.n,
            exclude_seen=False,
            mask=mask,
            exploration=self.exploration,
        )
        output: dict[str, Any] = {"recommendedItems": [i for i, _ in ranked]}
        if model.returns_scores:
            output["scores"] = [s for _, s in ranked]
        if self.theme_column is not None:
            output.update(self._theme([i for i, _ in ranked]))
        return output

    def _ranking(self, query: dict[str, Any]) -> dict[str, Any]:
        user_id = batch_io.string_member(query, "userId", True)
        items = query.get("itemList")
        if (
            not isinstance(items, list)
            or not items
            or not all(isinstance(i, str) and i for i in items)
        ):
            raise ValueError("itemList must be a non-empty list of item ids.")
        if len(items) > MAX_RANKING_ITEMS:
            raise ValueError(
                f"itemList has {len(items)} items; at most {MAX_RANKING_ITEMS} can be ranked."
            )
        mask = self._mask(items, query, user_id, None)
        kept = items if mask is None else [i for i, keep in zip(items, mask, strict=True) if keep]
        assert self.model is not None
        ranked = serving.rank(self.model, Query(user_id=user_id), kept)
        return {"recommendedItems": [i for i, _ in ranked], "scores": [s for _, s in ranked]}

    # -- themes -------------------------------------------------------------------------------

    def _item_names(self) -> dict[str, str]:
        group = self.version.dataset_group_arn
        with self.store.lock:
            record = realtime.dataset_of(self.store, group, "ITEMS")
            if record is None:
                raise EngineError(f"Dataset group {group} no longer has an Items dataset.")
            table = datastore.table_for(self.store, record)
        frame = realtime.metadata_frame(self.store, table)
        if self.theme_column not in frame.columns:
            raise EngineError(f"The Items dataset has no column {self.theme_column}.")
        names = frame[self.theme_column]
        return {str(i): str(v) for i, v in zip(frame["ITEM_ID"], names, strict=True)
                if isinstance(v, str)}  # fmt: skip

    def _words(self, item_id: str) -> set[str]:
        name = self.names.get(item_id, "")
        return {w.lower() for w in _WORD.findall(name) if w.lower() not in _STOP_WORDS}

    def _theme(self, items: Sequence[str]) -> dict[str, Any]:
        catalogue = Counter(w for i in self.names for w in self._words(i))
        total = max(len(self.names), 1)
        among = Counter(w for i in items for w in self._words(i))
        weight = {w: c * math.log(1.0 + total / catalogue[w]) for w, c in among.items()}
        best = sorted(weight, key=lambda w: (-weight[w], w))[:THEME_WORDS]
        if not best:
            return {"theme": "", "itemsThemeRelevanceScores": [0.0] * len(items)}
        theme = (
            best[0].capitalize()
            if len(best) == 1
            else (", ".join(best[:-1]).capitalize() + " and " + best[-1])
        )
        scores = [len(self._words(i) & set(best)) / len(best) for i in items]
        return {"theme": theme, "itemsThemeRelevanceScores": scores}
