"""Shared fixtures: run every boto3 test through both front doors.

Write boto3 tests against the ``aws`` fixture; they then run twice, once per door::

    def test_create_schema(aws):
        personalize = aws.client("personalize")             # region_name="us-east-1" by default
        arn = personalize.create_schema(name="s", schema=AVRO)["schemaArn"]
        assert aws.store().records["schema"][arn]           # the Store behind that call

* ``door`` is ``"mock"`` or ``"server"`` (parametrized; depend on it to know which one runs).
* mock door: the test body runs inside ``mock_personalize()``; clients are intercepted
  in-process, whatever ``endpoint_url`` says.
* server door: a session-wide :class:`ThreadedServer` on a free port; clients get its
  ``endpoint_url`` and fixed fake credentials. State (ours and moto's S3/IAM/STS) is wiped
  before and after each test with ``POST /moto-api/reset``, which also runs Store reset hooks.
* Both doors run jobs synchronously (``job_mode="sync"``); wrap a block in
  ``config.override(job_mode="async")`` to test real progressions.
* ``aws.client("s3")`` uses path-style addressing, which works on both doors.
* Clients do not retry (``max_attempts=1``), so an emulator 500 fails the test at once.
* ``PERSONALIZE_EMULATOR_STRICT_OUTPUT=1`` is set for the whole suite: every response is
  checked against botocore's output shape, and a stray member, wrong type or missing required
  member comes back as ``InternalFailure`` naming it.

Other helpers on ``aws``: ``aws.door``, ``aws.endpoint_url`` (None for the mock),
``aws.store(account_id=..., region=...)``, ``aws.reset()``.
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

os.environ["PERSONALIZE_EMULATOR_STRICT_OUTPUT"] = "1"

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
DOORS = ["mock", "server"]


class AwsDoor:
    """boto3 clients wired to one front door."""

    def __init__(self, door: str, endpoint_url: str | None = None):
        self.door = door
        self.endpoint_url = endpoint_url

    def client(
        self,
        service_name: str,
        region_name: str = DEFAULT_REGION,
        session: Any = None,
        **kwargs: Any,
    ) -> Any:
        """A boto3 client for this door; ``session`` (a ``boto3.Session``) for custom models."""
        import boto3
        from botocore.config import Config

        config = Config(retries={"max_attempts": 1, "mode": "standard"})
        if service_name == "s3":
            config = config.merge(Config(s3={"addressing_style": "path"}))
        if "config" in kwargs:
            config = config.merge(kwargs.pop("config"))
        if self.endpoint_url is not None:
            kwargs.setdefault("endpoint_url", self.endpoint_url)
            kwargs.setdefault("aws_access_key_id", "testing")
            kwargs.setdefault("aws_secret_access_key", "testing")
        maker = session.client if session is not None else boto3.client
        return maker(service_name, region_name=region_name, config=config, **kwargs)

    def store(self, account_id: str = DEFAULT_ACCOUNT, region: str = DEFAULT_REGION) -> Any:
        """The Store behind (account, region) -- the same object on both doors."""
        from personalize_emulator.mock import store_for

        return store_for(account_id, region)

    def reset(self) -> None:
        if self.endpoint_url is None:
            from moto.core.base_backend import BackendDict

            BackendDict.reset()
        else:
            reset_server(self.endpoint_url)


def reset_server(endpoint_url: str) -> None:
    request = urllib.request.Request(f"{endpoint_url}/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[Any]:
    """One standalone server for the session, on a free port, jobs in sync mode."""
    from personalize_emulator.server import ThreadedServer

    server = ThreadedServer(job_mode="sync").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=DOORS)
def door(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def aws(door: str, request: pytest.FixtureRequest) -> Iterator[AwsDoor]:
    if door == "mock":
        from personalize_emulator import mock_personalize

        with mock_personalize():
            yield AwsDoor("mock")
        return
    server = request.getfixturevalue("emulator_server")
    reset_server(server.endpoint_url)
    try:
        yield AwsDoor("server", server.endpoint_url)
    finally:
        reset_server(server.endpoint_url)
