"""Fixtures for the acceptance tests: the session's live server, wiped around each test."""

from __future__ import annotations

import urllib.request

import pytest


def reset(endpoint_url: str) -> None:
    request = urllib.request.Request(f"{endpoint_url}/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


@pytest.fixture
def endpoint(emulator_server):
    """The live server's URL, with all state (ours and moto's) reset before and after."""
    reset(emulator_server.endpoint_url)
    yield emulator_server.endpoint_url
    reset(emulator_server.endpoint_url)
