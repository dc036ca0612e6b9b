"""The operation registry: which function serves which (dialect, service, operation).

Provider modules under ``resources/providers/`` register plain functions::

    @handler("personalize", "CreateSchema")
    def create_schema(store: Store, *, name: str, schema: str, domain: str | None = None) -> dict:
        ...

A handler receives the store of the caller's (account, region) and the request parameters,
already parsed and validated against the input shape, as keyword arguments named exactly as
the wire members (camelCase). It returns the output as a plain dict keyed by wire member names
(``datetime`` values allowed; ``None`` values are dropped by the serializer), or ``None`` for an
empty output. It raises :mod:`personalize_emulator.protocol.errors` exceptions for client
mistakes. Registering by decorator (instead of one big provider class) lets each resource
family live in its own module.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from ..protocol.context import GA

Handler = Callable[..., "dict[str, Any] | None"]

_HANDLERS: dict[tuple[str, str, str], Handler] = {}
_loaded = False


def handler(service: str, operation: str, *, dialect: str = GA) -> Callable[[Handler], Handler]:
    """Register ``fn`` as the handler of ``operation`` of ``service`` in ``dialect``."""

    def register(fn: Handler) -> Handler:
        key = (dialect, service, operation)
        if key in _HANDLERS and _HANDLERS[key] is not fn:
            raise RuntimeError(f"two handlers for {key}: {_HANDLERS[key]} and {fn}")
        _HANDLERS[key] = fn
        return fn

    return register


def load_providers() -> None:
    """Import every module of ``resources.providers`` so their handlers register."""
    global _loaded
    if _loaded:
        return
    from . import providers

    for info in pkgutil.iter_modules(providers.__path__):
        importlib.import_module(f"{providers.__name__}.{info.name}")
    _loaded = True


def find_handler(dialect: str, service: str, operation: str) -> Handler | None:
    load_providers()
    return _HANDLERS.get((dialect, service, operation))


def registered_operations(dialect: str = GA) -> set[tuple[str, str]]:
    """(service, operation) pairs that have a handler in ``dialect``."""
    load_providers()
    return {(s, o) for (d, s, o) in _HANDLERS if d == dialect}
