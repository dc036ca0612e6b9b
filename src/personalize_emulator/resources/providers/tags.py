"""Tags: TagResource, UntagResource, ListTagsForResource.

Tags live in ``store.tags[arn]`` (key -> value), set at creation by every Create* operation
that takes ``tags`` (see :func:`..common.tags_from_wire` / :func:`..common.store_create_tags`)
or later here. The taggable kinds are exactly those whose Create* operation accepts tags;
schemas, metric attributions and the recipe catalogue take none.
"""

from __future__ import annotations

from ...protocol.errors import InvalidInputException, TooManyTagKeysException
from .. import arns
from ..common import MAX_TAGS, find_any, tags_from_wire, tags_to_wire
from ..handlers import handler
from ..store import Store

TAGGABLE = (
    "dataset-group",
    "dataset",
    "dataset-import-job",
    "dataset-export-job",
    "data-deletion-job",
    "event-tracker",
    "filter",
    "solution",
    "solution-version",
    "campaign",
    "recommender",
    "batch-inference-job",
    "batch-segment-job",
)


def _target(store: Store, arn: str) -> str:
    parsed = arns.parse(arn)
    if parsed is None or parsed.kind not in TAGGABLE:
        raise InvalidInputException(
            f"Invalid parameter resourceArn: {arn} is not the ARN of a resource that can be"
            f" tagged ({', '.join(arns.KINDS[k].label for k in TAGGABLE)})."
        )
    if find_any(store, arn) is None:
        raise arns.not_found(arn)
    return arn


@handler("personalize", "TagResource")
def tag_resource(store: Store, *, resourceArn: str, tags: list[dict[str, str]]) -> None:
    with store.lock:
        arn = _target(store, resourceArn)
        store.tags[arn] = tags_from_wire(tags, existing=store.tags.get(arn))


@handler("personalize", "UntagResource")
def untag_resource(store: Store, *, resourceArn: str, tagKeys: list[str]) -> None:
    if len(tagKeys) > MAX_TAGS:
        raise TooManyTagKeysException(
            f"At most {MAX_TAGS} tag keys can be removed in one request; got {len(tagKeys)}."
        )
    with store.lock:
        arn = _target(store, resourceArn)
        current = store.tags.get(arn, {})
        for key in tagKeys:
            current.pop(key, None)
        if current:
            store.tags[arn] = current
        else:
            store.tags.pop(arn, None)


@handler("personalize", "ListTagsForResource")
def list_tags_for_resource(store: Store, *, resourceArn: str) -> dict:
    with store.lock:
        arn = _target(store, resourceArn)
        return {"tags": tags_to_wire(store.tags.get(arn, {}))}
