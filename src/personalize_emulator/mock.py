"""Front door 1: the moto plugin and ``mock_personalize``.

moto has no plugin API, so we take over its ``personalize`` service ("option A" of
``reference/moto-integration.md``):

1. ``moto.personalize.personalize_backends`` becomes our :data:`personalize_backends`, a
   ``BackendDict`` of :class:`PersonalizeBackend` -- one per (account, region), each holding the
   :class:`~personalize_emulator.resources.store.Store` of all three Personalize APIs.
2. Host patterns for ``personalize-runtime.`` and ``personalize-events.`` are inserted, in place,
   into ``moto.backend_index.backend_url_patterns`` under the name ``personalize``.
3. The backend overrides ``url_bases``/``url_paths``/``urls`` so every Personalize URL reaches
   one handler, which calls :func:`personalize_emulator.protocol.dispatch.dispatch`.

Everything that goes through moto's routing then reaches us: ``mock_aws``, moto's server and
proxy, ``/moto-api/reset``. ``mock_personalize`` *is* ``mock_aws`` after :func:`register`, so
S3/IAM/STS are mocked alongside and decorator/class/context-manager semantics are moto's.
:func:`register` runs when this module is imported (``from personalize_emulator import
mock_personalize`` is enough), so a plain ``@mock_aws`` test of the same process -- or a
``mock_aws`` block entered before ``mock_personalize`` -- gets the whole Personalize API, not
moto's four schema operations.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

import moto.backend_index as backend_index
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.base_backend import BackendDict, BaseBackend

from . import config
from .protocol.dispatch import Response, dispatch
from .protocol.specs import known_regions
from .resources import clock
from .resources.application import Application
from .resources.store import Store

T = TypeVar("T")

_HOST = r"https?://personalize{}\.(?!s3[.-])([^.]+)\.amazonaws\.com(?:\.cn)?"
URL_BASES = [_HOST.format(suffix) for suffix in ("", "-runtime", "-events")]
_EXTRA_PATTERNS = [
    re.compile(r"https?://personalize-runtime\.(.+)\.amazonaws\.com"),
    re.compile(r"https?://personalize-events\.(.+)\.amazonaws\.com"),
]
_ACCESS_KEY = re.compile(r"Credential=([^/,\s]+)/")


def _read_body(request: Any) -> bytes:
    """The request body, whatever object this moto version hands a URL handler."""
    body = getattr(request, "body", None)
    if body is None and hasattr(request, "get_data"):
        body = request.get_data()
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode("utf-8")
    return body or b""


def account_for(headers: Mapping[str, str]) -> str:
    """The caller's account, in moto's order (headers have lower-case names)."""
    env = os.environ.get("MOTO_ACCOUNT_ID")
    if env:
        return env
    header = headers.get("x-moto-account-id")
    if header:
        return header
    m = _ACCESS_KEY.search(headers.get("authorization", ""))
    if m:
        from moto.iam.models import get_account_id_from

        return get_account_id_from(m.group(1))
    return DEFAULT_ACCOUNT_ID


def store_for(account_id: str, region: str) -> Store:
    return personalize_backends[account_id][region].store


def live_stores() -> list[Store]:
    """Every store this process holds, whatever account and region."""
    return [
        backend.store
        for per_account in list(personalize_backends.values())
        for backend in list(per_account.values())
    ]


APP = Application(store_for)


def serve(method: str, path: str, headers: Mapping[str, str], body: bytes) -> Response:
    """Dispatch one raw request against the moto-held stores (used by both doors)."""
    return dispatch(method, path, headers, body, app=APP, account_for=account_for)


def handle(request: Any, full_url: str, headers: Any) -> Response:
    """moto URL handler: ``(request, full_url, headers) -> (status, headers, body)``."""
    url = urlsplit(full_url)
    raw_headers = getattr(request, "headers", None) or headers or {}
    lower = {
        str(k).lower(): v.decode() if isinstance(v, bytes) else str(v)
        for k, v in raw_headers.items()
    }
    if url.netloc:
        lower["host"] = url.netloc
    path = url.path + (f"?{url.query}" if url.query else "")
    return serve(request.method, path, lower, _read_body(request))


URL_PATHS: dict[str, Callable[..., Response]] = {
    p: handle
    for p in (
        "/$",
        "/recommendations$",
        "/personalize-ranking$",
        "/action-recommendations$",
        "/events$",
        "/users$",
        "/items$",
        "/actions$",
        "/action-interactions$",
    )
}


class PersonalizeBackend(BaseBackend):
    """moto's view of one (account, region): it only holds our :class:`Store`."""

    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self.store = Store(account_id, region_name)

    def reset(self) -> None:
        # Cancel jobs first, so a worker finishing after the reset publishes nothing.
        self.store.reset()
        clock.reset()  # scheduled work lived on the records, which are gone
        super().reset()

    @property
    def url_bases(self) -> list[str]:
        return list(URL_BASES)

    @property
    def url_paths(self) -> dict[str, Callable[..., Response]]:
        return dict(URL_PATHS)

    @property
    def urls(self) -> dict[str, Callable[..., Response]]:
        return {base + path: fn for base in URL_BASES for path, fn in URL_PATHS.items()}


personalize_backends: BackendDict[PersonalizeBackend] = BackendDict(
    PersonalizeBackend, "personalize", additional_regions=sorted(known_regions())
)

_register_lock = threading.Lock()


def register() -> None:
    """Make moto route all three Personalize APIs to us. Idempotent, and checks itself."""
    import moto.backends
    import moto.personalize
    import moto.personalize.models

    with _register_lock:
        moto.personalize.personalize_backends = personalize_backends
        moto.personalize.models.personalize_backends = personalize_backends
        table = backend_index.backend_url_patterns  # mutated in place: moto's server holds it
        for pattern in _EXTRA_PATTERNS:
            if all(p.pattern != pattern.pattern for _, p in table):
                table.insert(0, ("personalize", pattern))

    if moto.backends.get_backend("personalize") is not personalize_backends:
        raise RuntimeError("moto did not accept the personalize-emulator backend")
    for url in (
        "https://personalize.us-east-1.amazonaws.com/",
        "https://personalize-runtime.us-east-1.amazonaws.com/recommendations",
        "https://personalize-events.us-east-1.amazonaws.com/events",
    ):
        service = next((s for s, p in table if p.match(url)), None)
        if service != "personalize":
            raise RuntimeError(f"moto routes {url} to {service!r}, not to personalize-emulator")


register()


def default_job_mode(mode: str) -> None:
    """Use ``mode`` unless the user chose one (env var or ``config.set``)."""
    if config.current().job_mode is None:
        config.set(job_mode=mode)


def mock_personalize(func: Callable[..., T] | None = None, config: dict | None = None) -> Any:
    """Like ``moto.mock_aws`` (decorator, class decorator, context manager), with Personalize.

    Jobs run synchronously by default (a create call returns with its work done); set
    ``PERSONALIZE_EMULATOR_JOB_MODE=async`` to watch real status progressions instead.
    """
    register()
    default_job_mode("sync")
    mocker = mock_aws(config=config)
    return mocker(func) if func is not None else mocker
