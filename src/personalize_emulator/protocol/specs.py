"""The service models the emulator speaks, loaded once per process.

GA models come from the *installed* botocore's own data directory only. We deliberately bypass
``AWS_DATA_PATH`` and ``~/.aws/models``: a user who installs the 2018 preview model there (as the
blog tells them to) changes what their *client* sends, but must not change what the *server*
believes the GA API is.

Preview-dialect models (the re:Invent 2018 API, JSON 1.1 with ``AWSConcierge*`` targets) are
the project's own files in ``personalize_emulator/service_models/``; a missing file means that
dialect is simply not served.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from importlib import resources

import botocore
from botocore.loaders import Loader
from botocore.model import ServiceModel

from .context import GA, PREVIEW

GA_SERVICES = ("personalize", "personalize-runtime", "personalize-events")
#: preview model file name (in ``service_models/``) -> botocore service name it stands for
PREVIEW_FILES = {
    "personalize.json": "personalize",
    "personalize-runtime.json": "personalize-runtime",
}


@dataclass(frozen=True)
class ServiceSpec:
    """One service in one dialect: its model and how it is spoken on the wire."""

    service: str
    dialect: str
    model: ServiceModel

    @property
    def protocol(self) -> str:
        return self.model.protocol

    @property
    def target_prefix(self) -> str | None:
        return self.model.metadata.get("targetPrefix")

    @property
    def content_type(self) -> str:
        if self.protocol == "json":
            return f"application/x-amz-json-{self.model.metadata.get('jsonVersion', '1.1')}"
        return "application/json"


@functools.lru_cache(maxsize=1)
def _builtin_loader() -> Loader:
    data = os.path.join(os.path.dirname(botocore.__file__), "data")
    return Loader(extra_search_paths=[data], include_default_search_paths=False)


@functools.cache
def ga_spec(service: str) -> ServiceSpec:
    """The GA model of ``service`` from the installed botocore."""
    raw = _builtin_loader().load_service_model(service, "service-2")
    return ServiceSpec(service, GA, ServiceModel(raw, service_name=service))


@functools.lru_cache(maxsize=1)
def _preview_specs() -> tuple[ServiceSpec, ...]:
    folder = resources.files("personalize_emulator").joinpath("service_models")
    specs = []
    for filename, service in PREVIEW_FILES.items():
        entry = folder.joinpath(filename)
        if not entry.is_file():
            continue
        raw = json.loads(entry.read_text(encoding="utf-8"))
        specs.append(ServiceSpec(service, PREVIEW, ServiceModel(raw, service_name=service)))
    return tuple(specs)


def preview_specs() -> tuple[ServiceSpec, ...]:
    """The preview-dialect models that are present (none, one or both)."""
    return _preview_specs()


def all_specs() -> tuple[ServiceSpec, ...]:
    """Every (service, dialect) the emulator can route to."""
    return tuple(ga_spec(s) for s in GA_SERVICES) + preview_specs()


def spec_for(service: str, dialect: str = GA) -> ServiceSpec | None:
    if dialect == GA:
        return ga_spec(service) if service in GA_SERVICES else None
    return next((s for s in preview_specs() if s.service == service), None)


@functools.lru_cache(maxsize=1)
def known_regions() -> frozenset[str]:
    """Regions where Personalize runs, across every partition botocore knows."""
    import botocore.session

    session = botocore.session.Session()
    regions: set[str] = set()
    for partition in session.get_available_partitions():
        regions.update(session.get_available_regions("personalize", partition_name=partition))
    return frozenset(regions)


def clear_cache() -> None:
    """Forget loaded models (tests that add or remove preview files call this)."""
    ga_spec.cache_clear()
    _preview_specs.cache_clear()
    known_regions.cache_clear()
