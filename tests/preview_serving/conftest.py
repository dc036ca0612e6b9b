"""Fixtures of the preview-serving tests: boto3 clients built from the preview models.

``preview`` gives, on the current door (mock or server), a control-plane and a runtime client
built while :func:`personalize_emulator.preview_models.activated` points botocore at the
project's preview models (as the blog's ``aws configure add-model`` would), plus GA clients
built outside it, so one test can look at the same store through both dialects.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from blog import BUCKET, FILENAME
from movielens_like import MovieLensLike, generate

from personalize_emulator import preview_models


@dataclass
class Clients:
    personalize: Any  # preview dialect
    runtime: Any  # preview dialect
    ga: Any
    ga_runtime: Any
    s3: Any


@pytest.fixture(scope="session")
def sessions() -> tuple[boto3.Session, boto3.Session]:
    """(preview, GA) sessions, made once: a session's loader keeps the models it first found.

    moto is imported first: sessions copy botocore's handlers when made, and the mock door's
    interception is one of them.
    """
    import personalize_emulator.mock  # noqa: F401

    ga = boto3.Session()
    ga.client("personalize", region_name="us-east-1")
    with preview_models.activated():
        preview = boto3.Session()
        preview.client("personalize", region_name="us-east-1")  # fixes its loader's search path
    return preview, ga


@pytest.fixture
def clients(aws, sessions) -> Iterator[Clients]:
    preview, ga = sessions
    personalize = aws.client("personalize", session=preview)
    runtime = aws.client("personalize-runtime", session=preview)
    ga_client = aws.client("personalize", session=ga)
    assert hasattr(personalize, "get_metrics") and not hasattr(ga_client, "get_metrics")
    yield Clients(
        personalize, runtime, ga_client, aws.client("personalize-runtime", session=ga),
        aws.client("s3", session=ga),
    )  # fmt: skip


@pytest.fixture(scope="session")
def movielens() -> MovieLensLike:
    return generate()


@pytest.fixture
def uploaded(clients: Clients, movielens: MovieLensLike) -> str:
    """The blog's CSV in s3://personalize-demo/; returns its URI."""
    clients.s3.create_bucket(Bucket=BUCKET)
    clients.s3.put_object(Bucket=BUCKET, Key=FILENAME, Body=movielens.blog_csv())
    return f"s3://{BUCKET}/{FILENAME}"
