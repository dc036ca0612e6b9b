"""Fixtures of the real-time tests: clients on both doors and a dataset group with datasets."""

from __future__ import annotations

import pytest
from realtime_samples import Group


@pytest.fixture
def personalize(aws):
    return aws.client("personalize")


@pytest.fixture
def events(aws):
    return aws.client("personalize-events")


@pytest.fixture
def s3(aws):
    client = aws.client("s3")
    client.create_bucket(Bucket="realtime-bucket")
    return client


@pytest.fixture
def group(aws, personalize) -> Group:
    """Dataset group ``shop`` with Interactions, Items and Users datasets and a tracker."""
    return Group.create(aws, personalize, "shop", tracker=True)
