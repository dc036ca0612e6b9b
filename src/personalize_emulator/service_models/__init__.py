"""The project's own botocore ``service-2`` models of the re:Invent 2018 preview dialect.

``personalize.json`` (control plane, target prefix ``AWSConciergeControlService``) and
``personalize-runtime.json`` (target prefix ``AWSConciergeRoutingService``) are written by this
project from the reconstruction in its design notes; they are not AWS's files. Both declare
apiVersion ``2018-05-22``, the same directory name as botocore's built-in GA models, so a copy
placed earlier on botocore's search path shadows GA (see ``personalize_emulator.preview_models``).

These flat files are the single source: the installer copies them byte for byte, and the
protocol layer can read them through :func:`load` to parse and validate preview requests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

API_VERSION = "2018-05-22"
SERVICES: tuple[str, ...] = ("personalize", "personalize-runtime")
TARGET_PREFIXES: dict[str, str] = {
    "personalize": "AWSConciergeControlService",
    "personalize-runtime": "AWSConciergeRoutingService",
}

_HERE = Path(__file__).resolve().parent


def path(service: str) -> Path:
    """The flat model file of ``service`` (``personalize`` or ``personalize-runtime``)."""
    if service not in SERVICES:
        raise ValueError(f"no preview model for service {service!r}; known: {', '.join(SERVICES)}")
    return _HERE / f"{service}.json"


def load(service: str) -> dict[str, Any]:
    """The parsed model of ``service``, ready for ``botocore.model.ServiceModel``."""
    return json.loads(path(service).read_text(encoding="utf-8"))
