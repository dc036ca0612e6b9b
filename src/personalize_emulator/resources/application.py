"""The seam the protocol layer calls: (context, params) -> output dict.

Front doors build one ``Application`` with a function that returns the :class:`Store` of an
(account, region) -- in practice the store held by moto's ``BackendDict`` -- and hand it to
``protocol.dispatch``. The protocol room never imports this room; it only calls ``invoke``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..protocol.context import RequestContext
from ..protocol.errors import NotImplementedOperation
from .handlers import find_handler
from .store import Store


class Application:
    def __init__(self, store_for: Callable[[str, str], Store]):
        self._store_for = store_for

    def invoke(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any] | None:
        fn = find_handler(ctx.dialect, ctx.service, ctx.operation)
        if fn is None:
            raise NotImplementedOperation(
                f"The emulator does not implement {ctx.service} {ctx.operation}"
                f"{' (preview dialect)' if ctx.dialect != 'ga' else ''} yet."
            )
        store = self._store_for(ctx.account_id, ctx.region)
        return fn(store, **params)
