"""Personalize ARNs: one table of resource kinds, and the functions that build, parse and check them.

A *kind* is the name the store files records under (``store.records[kind]``). It is the ARN's
resource type, except for solution versions, which share the ``solution/`` type with solutions
and are told apart by their extra path segment (``solution/{solutionName}/{versionId}``).

Catalogue resources (recipes, algorithms, feature transformations) are global: their ARNs have
empty region and account fields (``arn:aws:personalize:::recipe/aws-sims``).

Checking an ARN an operation receives is two questions asked in order:

1. is it an ARN of the kind the member expects? If not -> ``InvalidInputException`` naming the
   member and the kind expected (:func:`expect`);
2. does the resource exist? If not -> ``ResourceNotFoundException`` with moto's message
   ``Resource Arn <arn> does not exist.`` (:func:`not_found`), used for every kind alike.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from ..protocol.errors import InvalidInputException, ResourceNotFoundException

DATASET_TYPES = ("INTERACTIONS", "ITEMS", "USERS", "ACTIONS", "ACTION_INTERACTIONS")


@dataclass(frozen=True)
class ArnKind:
    kind: str  # the store's kind name
    resource_type: str  # the first path segment of the ARN's resource part
    parts: tuple[str, ...]  # names of the path segments after the type
    label: str  # how error messages name it
    global_: bool = False  # catalogue resources: no region, no account


_KINDS: tuple[ArnKind, ...] = (
    ArnKind("schema", "schema", ("name",), "schema"),
    ArnKind("dataset-group", "dataset-group", ("name",), "dataset group"),
    ArnKind("dataset", "dataset", ("dataset_group_name", "dataset_type"), "dataset"),
    ArnKind("dataset-import-job", "dataset-import-job", ("name",), "dataset import job"),
    ArnKind("dataset-export-job", "dataset-export-job", ("name",), "dataset export job"),
    ArnKind("data-deletion-job", "data-deletion-job", ("name",), "data deletion job"),
    ArnKind("event-tracker", "event-tracker", ("name",), "event tracker"),
    ArnKind("filter", "filter", ("name",), "filter"),
    ArnKind("metric-attribution", "metric-attribution", ("name",), "metric attribution"),
    ArnKind("solution", "solution", ("name",), "solution"),
    ArnKind("solution-version", "solution", ("solution_name", "version_id"), "solution version"),
    ArnKind("campaign", "campaign", ("name",), "campaign"),
    ArnKind("recommender", "recommender", ("name",), "recommender"),
    ArnKind("batch-inference-job", "batch-inference-job", ("name",), "batch inference job"),
    ArnKind("batch-segment-job", "batch-segment-job", ("name",), "batch segment job"),
    ArnKind("recipe", "recipe", ("name",), "recipe", global_=True),
    ArnKind("algorithm", "algorithm", ("name",), "algorithm", global_=True),
    ArnKind(
        "feature-transformation",
        "feature-transformation",
        ("name",),
        "feature transformation",
        global_=True,
    ),
)

KINDS: dict[str, ArnKind] = {k.kind: k for k in _KINDS}
# (resource type, number of path segments) -> kind: how ``parse`` tells solution from version.
_BY_SHAPE: dict[tuple[str, int], ArnKind] = {(k.resource_type, len(k.parts)): k for k in _KINDS}

_ARN = re.compile(
    r"^arn:(?P<partition>aws(?:-[a-z-]+)?):personalize:"
    r"(?P<region>[a-z0-9-]*):(?P<account>\d{12})?:(?P<resource>.+)$"
)
# Names follow the model's name pattern; ``$LATEST`` is the solution-version alias.
_SEGMENT = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9\-_]*|\$LATEST)$")


def partition_for(region: str) -> str:
    """The AWS partition a region belongs to (``aws``, ``aws-cn``, ``aws-us-gov``)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


def build(kind: str, *parts: str, region: str = "", account: str = "") -> str:
    """The ARN of a ``kind`` resource; ``parts`` fill the kind's path segments in order.

    ``build("dataset", "MyGroup", "INTERACTIONS", region="us-east-1", account="123456789012")``.
    Catalogue kinds ignore region and account (global ARNs in the ``aws`` partition).
    """
    spec = KINDS[kind]
    if len(parts) != len(spec.parts):
        raise ValueError(f"{kind} ARNs take {len(spec.parts)} path part(s), got {len(parts)}")
    resource = "/".join((spec.resource_type, *parts))
    if spec.global_:
        return f"arn:aws:personalize:::{resource}"
    return f"arn:{partition_for(region)}:personalize:{region}:{account}:{resource}"


def new_version_id() -> str:
    """A solution-version id: 8 lowercase hex characters, like the published examples."""
    return secrets.token_hex(4)


@dataclass(frozen=True)
class ParsedArn:
    kind: str
    parts: tuple[str, ...]
    partition: str
    region: str
    account: str

    def __iter__(self):  # ``kind, parts = parse(arn)``
        return iter((self.kind, self.parts))


def parse(arn: str) -> ParsedArn | None:
    """Split a Personalize ARN into its kind and path parts; ``None`` if it is not one.

    Unpacks as ``kind, parts = parse(arn)``; ``.region`` and ``.account`` are there too.
    """
    m = _ARN.match(arn)
    if m is None:
        return None
    segments = tuple(m["resource"].split("/"))
    spec = _BY_SHAPE.get((segments[0], len(segments) - 1))
    if spec is None or not all(_SEGMENT.match(s) for s in segments[1:]):
        return None
    if spec.global_ != (m["region"] == "" and m["account"] is None):
        return None
    return ParsedArn(spec.kind, segments[1:], m["partition"], m["region"], m["account"] or "")


def kind_of(arn: str) -> str | None:
    parsed = parse(arn)
    return parsed.kind if parsed else None


def expect(arn: str, kind: str | tuple[str, ...], member: str) -> ParsedArn:
    """Check that ``arn`` (the value of request member ``member``) is an ARN of ``kind``.

    ``kind`` may be a tuple when a member accepts several kinds (e.g. TagResource).
    Raises ``InvalidInputException`` naming the member and the kind(s) expected.
    """
    kinds = (kind,) if isinstance(kind, str) else kind
    parsed = parse(arn)
    if parsed is None or parsed.kind not in kinds:
        wanted = " or ".join(_with_article(KINDS[k].label) for k in kinds)
        raise InvalidInputException(
            f"Invalid parameter {member}: {arn} is not the ARN of {wanted}"
            f" (expected {example(kinds[0])})."
        )
    return parsed


def _with_article(label: str) -> str:
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


def example(kind: str) -> str:
    """The ARN template of ``kind``, for messages: ``arn:aws:personalize:<region>:<account>:schema/<name>``."""
    spec = KINDS[kind]
    path = "/".join((spec.resource_type, *(f"<{p}>" for p in spec.parts)))
    if spec.global_:
        return f"arn:aws:personalize:::{path}"
    return f"arn:aws:personalize:<region>:<account>:{path}"


def not_found(arn: str) -> ResourceNotFoundException:
    """The error for a well-formed ARN that names nothing (moto's wording, for every kind)."""
    return ResourceNotFoundException(f"Resource Arn {arn} does not exist.")
