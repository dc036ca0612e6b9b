"""Fixtures of the resource tests; every boto3 test runs on both doors through ``aws``."""

from __future__ import annotations

import pytest


@pytest.fixture
def personalize(aws):
    return aws.client("personalize")
