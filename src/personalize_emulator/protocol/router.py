"""Raw request -> (service, dialect, operation), region.

JSON 1.1 services (the GA control plane and both preview services) name the operation in
``X-Amz-Target: <targetPrefix>.<Operation>``, always with POST; the prefix also tells the
dialect. rest-json
services (GA runtime and events) have no target: a (method, requestUri) table built from their
models names the operation. The three APIs share the SigV4 signing name ``personalize``, so the
signature never tells them apart.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from urllib.parse import unquote

from botocore.model import OperationModel

from .errors import ServiceError
from .specs import ServiceSpec, all_specs, known_regions

DEFAULT_REGION = "us-east-1"

_HOST = re.compile(
    r"^personalize(?:-runtime|-events)?\.(?!s3[.-])([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?(?::\d+)?$"
)
_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
_QUERY_SCOPE = re.compile(r"X-Amz-Credential=[^/&]+/\d{8}/([^/&]+)/([^/&]+)/aws4_request")


class UnknownOperationException(ServiceError):
    code = "UnknownOperationException"
    status = 400


class InvalidRegionException(ServiceError):
    code = "InvalidRegionException"
    status = 400


@dataclass(frozen=True)
class Route:
    spec: ServiceSpec
    operation: str

    @property
    def service(self) -> str:
        return self.spec.service

    @property
    def dialect(self) -> str:
        return self.spec.dialect

    @property
    def operation_model(self) -> OperationModel:
        return self.spec.model.operation_model(self.operation)


@functools.lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, ServiceSpec], dict[tuple[str, str], Route]]:
    by_prefix: dict[str, ServiceSpec] = {}
    by_path: dict[tuple[str, str], Route] = {}
    for spec in all_specs():
        if spec.protocol == "json":
            by_prefix[spec.target_prefix or ""] = spec
            continue
        for op in spec.model.operation_names:
            http = spec.model.operation_model(op).http
            uri = http.get("requestUri", "/").split("?", 1)[0]
            by_path[(http.get("method", "POST").upper(), uri)] = Route(spec, op)
    return by_prefix, by_path


def clear_cache() -> None:
    _tables.cache_clear()


def split_path(path: str) -> tuple[str, str]:
    """``/events?x=1`` -> (``/events``, ``x=1``)."""
    clean, _, query = path.partition("?")
    return clean or "/", query


def route(method: str, path: str, headers: dict[str, str]) -> Route:
    """Name the operation a request calls; ``headers`` must have lower-case names."""
    by_prefix, by_path = _tables()
    target = headers.get("x-amz-target")
    if target:
        prefix, _, op = target.rpartition(".")
        spec = by_prefix.get(prefix)
        if spec is None or op not in spec.model.operation_names:
            raise UnknownOperationException(f"Unknown operation: {target}")
        if method.upper() != "POST":  # the JSON 1.x protocols call every operation with POST
            raise UnknownOperationException(f"{target} is called with POST, not {method.upper()}.")
        return Route(spec, op)
    clean, _ = split_path(path)
    found = by_path.get((method.upper(), clean)) or by_path.get((method.upper(), clean.rstrip("/")))
    if found is None and clean == "/":
        raise UnknownOperationException(
            "Missing X-Amz-Target header: name the operation, e.g. "
            "X-Amz-Target: AmazonPersonalize.ListDatasetGroups."
        )
    if found is None:
        raise UnknownOperationException(
            f"No operation is served at {method.upper()} {clean} (and no X-Amz-Target header)."
        )
    return found


def signing_scope(headers: dict[str, str], query: str = "") -> tuple[str, str] | None:
    """(region, service) of the SigV4 credential scope, from the header or a presigned URL."""
    m = _SCOPE.search(headers.get("authorization", ""))
    if m is None and query:
        m = _QUERY_SCOPE.search(unquote(query))
    return (m.group(1), m.group(2)) if m else None


def region_of(headers: dict[str, str], query: str = "") -> str:
    """The host's region, else the SigV4 scope's, else ``us-east-1``."""
    m = _HOST.match(headers.get("host", "").lower())
    if m:
        return m.group(1)
    scope = signing_scope(headers, query)
    return scope[0] if scope else DEFAULT_REGION


def check_region(region: str) -> None:
    if region in known_regions():
        return
    if os.environ.get("MOTO_ALLOW_NONEXISTENT_REGION", "").lower() == "true":
        return
    raise InvalidRegionException(
        f"Amazon Personalize is not available in region '{region}'. Use one of: "
        f"{', '.join(sorted(known_regions()))} (or set MOTO_ALLOW_NONEXISTENT_REGION=true)."
    )
