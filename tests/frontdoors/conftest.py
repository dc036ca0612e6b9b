"""Fixtures for the front-door tests."""

from __future__ import annotations

import pytest

from personalize_emulator.resources import handlers


@pytest.fixture
def temp_handlers():
    """``add(service, operation, fn)``: serve a real operation with ``fn`` for one test.

    The front doors are tested independently of the resource providers, so these tests
    register tiny handlers of their own and put the real ones back afterwards.
    """
    handlers.load_providers()
    added = []

    def add(service, operation, fn, dialect="ga"):
        key = (dialect, service, operation)
        previous = handlers._HANDLERS.pop(key, None)
        handlers.handler(service, operation, dialect=dialect)(fn)
        added.append((key, previous))

    yield add
    for key, previous in reversed(added):
        handlers._HANDLERS.pop(key, None)
        if previous is not None:
            handlers._HANDLERS[key] = previous
