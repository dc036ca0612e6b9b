"""Every operation of the project's preview models has a preview-dialect handler."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from personalize_emulator.protocol.context import PREVIEW
from personalize_emulator.resources.handlers import find_handler


@pytest.mark.parametrize(
    ("filename", "service"),
    [("personalize.json", "personalize"), ("personalize-runtime.json", "personalize-runtime")],
)
def test_every_preview_operation_is_served(filename, service):
    text = resources.files("personalize_emulator").joinpath("service_models", filename).read_text()
    operations = json.loads(text)["operations"]
    missing = [op for op in operations if find_handler(PREVIEW, service, op) is None]
    assert missing == []
