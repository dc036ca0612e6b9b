"""Helpers for the preview-model tests: sessions pinned to one set of models, fake transport.

No request leaves the process: a ``before-send`` handler records each prepared request and
answers with a canned JSON body, so botocore's validation, serialisation and parsing all run.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from personalize_emulator import preview_models

BUILTIN_DATA = Path(botocore.loaders.Loader.BUILTIN_DATA_PATH)


class _Body:
    def __init__(self, payload: bytes):
        self._payload = payload

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._payload


def session_with_data_path(*paths: Path) -> boto3.Session:
    """A boto3 session whose loader searches exactly ``paths`` (nothing from HOME or env)."""
    core = botocore.session.Session()
    loader = botocore.loaders.Loader(
        extra_search_paths=[str(p) for p in paths], include_default_search_paths=False
    )
    core.register_component("data_loader", loader)
    return boto3.Session(
        botocore_session=core,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@functools.cache
def preview_session() -> boto3.Session:
    return session_with_data_path(preview_models.installed_data_path(), BUILTIN_DATA)


@functools.cache
def ga_session() -> boto3.Session:
    return session_with_data_path(BUILTIN_DATA)


class FakeTransport:
    """Records requests sent by a client and answers each with ``respond(request)``."""

    def __init__(self, client: Any, respond: Callable[[AWSPreparedRequest], dict] | dict):
        self.requests: list[AWSPreparedRequest] = []
        self._respond = respond
        client.meta.events.register("before-send", self._send)

    def _send(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        self.requests.append(request)
        body = self._respond(request) if callable(self._respond) else self._respond
        return AWSResponse(
            request.url,
            200,
            {"Content-Type": "application/x-amz-json-1.1"},
            _Body(json.dumps(body).encode()),
        )

    @property
    def last(self) -> AWSPreparedRequest:
        return self.requests[-1]


def target_of(request: AWSPreparedRequest) -> str | None:
    value = request.headers.get("X-Amz-Target")
    return value.decode() if isinstance(value, bytes) else value
