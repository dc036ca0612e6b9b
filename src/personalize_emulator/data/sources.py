"""Where import data comes from and exports go: moto's in-process S3, or the local disk.

``resolve_sources(account, region, uri)`` turns a ``dataLocation`` into the CSV sources to
read, in order:

* ``s3://bucket/key.csv``: one object; ``s3://bucket/prefix/``: every ``.csv`` key under the
  prefix, sorted by key. Objects are read straight from moto's S3 backend of the account and
  partition (moto 5.0.8+ keys backends by partition; older ones by ``"global"``); buckets of
  other accounts are found as moto itself finds them (``get_bucket`` consults
  ``bucket_accounts``). The bytes are copied when the sources are resolved, so a moto reset
  during a long import cannot pull the data away.
* A local path or ``file://`` URI (an extension of ours, handy for large files and offline
  use): a file, or a directory of ``.csv`` files. Local files are streamed, never loaded whole.

``write_s3`` puts an object into moto's S3 (exports, batch outputs); ``file://`` targets write
to disk. Problems raise ``SourceError`` naming the URI.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pyarrow as pa


class SourceError(ValueError):
    """The location cannot be read or written; the message names the URI."""


@dataclass
class BytesSource:
    """An object's bytes, already in memory (moto keeps S3 objects in memory anyway)."""

    name: str
    data: bytes

    def open(self) -> pa.NativeFile:
        return pa.BufferReader(self.data)

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class FileSource:
    """A local file, streamed from disk."""

    name: str
    path: Path

    def open(self) -> pa.NativeFile:
        return pa.input_stream(str(self.path))

    @property
    def size(self) -> int:
        return self.path.stat().st_size


Source = BytesSource | FileSource


def is_s3(uri: str) -> bool:
    return uri.startswith("s3://")


def split_s3(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` -> (bucket, key)."""
    if not is_s3(uri):
        raise SourceError(f"{uri!r} is not an S3 URI (s3://bucket/key).")
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not bucket:
        raise SourceError(f"{uri!r} names no bucket.")
    return bucket, key


def resolve_sources(account: str, region: str, uri: str) -> list[Source]:
    """The CSV sources a ``dataLocation`` names, in reading order."""
    if is_s3(uri):
        return _s3_sources(account, region, uri)
    return _local_sources(uri)


def read_bytes(account: str, region: str, uri: str) -> bytes:
    """The whole content of one object or file (batch job inputs, small files)."""
    if is_s3(uri):
        bucket, key = split_s3(uri)
        if not key or key.endswith("/"):
            raise SourceError(f"{uri} is a folder, not an object.")
        return _get_object(_s3_backend(account, region), bucket, key, uri)
    path = _local_path(uri)
    if not path.is_file():
        raise SourceError(f"No file at {uri}.")
    return path.read_bytes()


def list_objects(account: str, region: str, uri: str, suffix: str = "") -> list[str]:
    """Sorted ``s3://`` URIs (or local paths) of the objects under a folder URI."""
    if is_s3(uri):
        bucket, prefix = split_s3(uri)
        keys = _keys_under(_bucket(_s3_backend(account, region), bucket, uri), prefix)
        return [f"s3://{bucket}/{k}" for k in keys if k.lower().endswith(suffix.lower())]
    path = _local_path(uri)
    if not path.is_dir():
        raise SourceError(f"No directory at {uri}.")
    return [str(p) for p in sorted(path.iterdir()) if p.is_file() and p.name.endswith(suffix)]


def write_s3(account: str, region: str, uri: str, data: bytes) -> str:
    """Create (or overwrite) the object at ``uri``; returns its key (or local path)."""
    if not is_s3(uri):
        path = _local_path(uri)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        return str(path)
    bucket, key = split_s3(uri)
    if not key or key.endswith("/"):
        raise SourceError(f"{uri} names a folder; an object key is needed.")
    s3 = _s3_backend(account, region)
    _bucket(s3, bucket, uri)
    s3.put_object(bucket, key, data)
    return key


# --------------------------------------------------------------------------------------------
# moto


def _s3_backend(account: str, region: str) -> Any:
    from moto.s3.models import s3_backends
    from moto.utilities.utils import get_partition

    per_account = s3_backends[account]
    partition = get_partition(region)
    return per_account[partition] if partition in per_account else per_account["global"]


def _bucket(s3: Any, bucket: str, uri: str) -> Any:
    from moto.s3.exceptions import MissingBucket

    try:
        return s3.get_bucket(bucket)
    except MissingBucket:
        raise SourceError(f"The S3 bucket {bucket} of {uri} does not exist.") from None


def _get_object(s3: Any, bucket: str, key: str, uri: str) -> bytes:
    _bucket(s3, bucket, uri)
    obj = s3.get_object(bucket, key)
    if obj is None:
        raise SourceError(f"No S3 object at {uri}.")
    return obj.value


def _keys_under(bucket_obj: Any, prefix: str) -> list[str]:
    return sorted(k for k in bucket_obj.keys.keys() if k.startswith(prefix) and not k.endswith("/"))


def _s3_sources(account: str, region: str, uri: str) -> list[Source]:
    bucket, key = split_s3(uri)
    s3 = _s3_backend(account, region)
    if key and not key.endswith("/"):
        return [BytesSource(uri, _get_object(s3, bucket, key, uri))]
    keys = [k for k in _keys_under(_bucket(s3, bucket, uri), key) if k.lower().endswith(".csv")]
    if not keys:
        raise SourceError(f"No CSV files found under {uri}.")
    return [BytesSource(f"s3://{bucket}/{k}", _get_object(s3, bucket, k, uri)) for k in keys]


# --------------------------------------------------------------------------------------------
# local disk


def _local_path(uri: str) -> Path:
    if uri.startswith("file://"):
        parsed = urlparse(uri)
        return Path(unquote(parsed.netloc + parsed.path))
    if "://" in uri:
        raise SourceError(f"Unsupported location {uri!r}: use s3://, file:// or a local path.")
    return Path(uri)


def _local_sources(uri: str) -> list[Source]:
    path = _local_path(uri)
    if path.is_file():
        return [FileSource(uri, path)]
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
        if not files:
            raise SourceError(f"No CSV files found under {uri}.")
        return [FileSource(str(p), p) for p in files]
    raise SourceError(f"No file or directory at {uri}.")
