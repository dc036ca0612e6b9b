"""Fixtures of the pipeline tests; every boto3 test runs on both doors through ``aws``."""

from __future__ import annotations

import pytest
from pipeline_support import Pipeline


@pytest.fixture
def pipe(aws) -> Pipeline:
    return Pipeline.open(aws)
