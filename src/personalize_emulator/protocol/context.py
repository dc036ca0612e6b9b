"""What a handler knows about the request it serves, beyond its parameters."""

from __future__ import annotations

from dataclasses import dataclass, field

GA = "ga"
PREVIEW = "preview"


@dataclass(frozen=True)
class RequestContext:
    """Identifies one API call once routing has resolved it.

    ``service`` is the botocore service name (``personalize``, ``personalize-runtime``,
    ``personalize-events``); ``dialect`` is ``ga`` or ``preview`` (the re:Invent 2018 API,
    told apart by its ``AWSConcierge*`` target prefix); ``operation`` is the model's
    operation name (``CreateSchema``).
    """

    service: str
    operation: str
    account_id: str
    region: str
    dialect: str = GA
    request_id: str = ""
    headers: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
