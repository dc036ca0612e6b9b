"""Fixtures of the preview-model tests (helpers live in ``preview_support``)."""

from __future__ import annotations

from pathlib import Path

import boto3
import botocore.loaders
import pytest


@pytest.fixture
def clean_boto3_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No AWS_DATA_PATH, an empty ~/.aws/models, no default boto3 session; returns tmp_path."""
    monkeypatch.delenv("AWS_DATA_PATH", raising=False)
    # botocore fixed ~/.aws/models at import time; point it at an empty folder of ours
    monkeypatch.setattr(botocore.loaders.Loader, "CUSTOMER_DATA_PATH", str(tmp_path / "home-models"))
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return tmp_path
