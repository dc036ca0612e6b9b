"""Preview-dialect runtime: GetRecommendations and PersonalizeRanking, over the GA runtime.

The preview runtime spoke JSON 1.1 (``AWSConciergeRoutingService.*``) and returned bare item
ids: ``itemList`` / ``personalizedRanking`` of ``{itemId}`` without scores or a
recommendation id. ``numResults`` defaults to 25 and is capped at 100 by the preview model.
Which ids a campaign needs is GA's rule (userId for user personalization, where an itemId is
ignored; itemId for related items); PersonalizeRanking is GA GetPersonalizedRanking
(``searchQuery`` had no effect the evidence shows, so it is accepted and unused).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ...protocol.errors import InvalidInputException
from ..store import Store
from .preview_common import RUNTIME, ga, preview

#: GA operation names in GA's messages -> the preview's names for them
_OPERATIONS = {"GetPersonalizedRanking": "PersonalizeRanking"}


def _ids(items: list[dict]) -> list[dict[str, str]]:
    return [{"itemId": item["itemId"]} for item in items]


@contextmanager
def _preview_names() -> Iterator[None]:
    """GA's advice ("call GetPersonalizedRanking instead") in the preview's vocabulary."""
    try:
        yield
    except InvalidInputException as exc:
        message = exc.message
        for ga_name, preview_name in _OPERATIONS.items():
            message = message.replace(ga_name, preview_name)
        if message == exc.message:
            raise
        raise InvalidInputException(message) from exc


@preview("GetRecommendations", RUNTIME)
def get_recommendations(
    store: Store,
    *,
    campaignArn: str,
    userId: str | None = None,
    itemId: str | None = None,
    numResults: int | None = None,
) -> dict:
    with _preview_names():
        out = ga("GetRecommendations", store, RUNTIME, campaignArn=campaignArn, userId=userId,
                 itemId=itemId, numResults=numResults)  # fmt: skip
    return {"itemList": _ids(out.get("itemList", []))}


@preview("PersonalizeRanking", RUNTIME)
def personalize_ranking(
    store: Store,
    *,
    campaignArn: str,
    userId: str,
    inputList: list[str],
    searchQuery: str | None = None,
) -> dict:
    out = ga("GetPersonalizedRanking", store, RUNTIME, campaignArn=campaignArn, userId=userId,
             inputList=inputList)  # fmt: skip
    return {"personalizedRanking": _ids(out.get("personalizedRanking", []))}
