"""Acceptance: 8 threads creating, describing and listing on the live server at once."""

from __future__ import annotations

import collections
import threading

import boto3
import pytest
from botocore.config import Config

THREADS = 8
PER_THREAD = 6


@pytest.mark.slow
def test_eight_threads_lose_nothing_and_page_consistently(endpoint):
    config = Config(retries={"max_attempts": 1}, max_pool_connections=THREADS)
    kwargs = dict(
        endpoint_url=endpoint,
        region_name="us-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=config,
    )
    created: list[str] = []
    problems: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()

    def work(t: int) -> None:
        client = boto3.session.Session().client("personalize", **kwargs)
        for i in range(PER_THREAD):
            try:
                arn = client.create_dataset_group(name=f"t{t}-{i}")["datasetGroupArn"]
                with lock:
                    created.append(arn)
                client.describe_dataset_group(datasetGroupArn=arn)
                pages = client.get_paginator("list_dataset_groups").paginate(
                    PaginationConfig={"PageSize": 5}
                )
                seen = [g["datasetGroupArn"] for page in pages for g in page["datasetGroups"]]
                if len(seen) != len(set(seen)):
                    problems["a listing repeated a group"] += 1
                if arn not in seen:
                    problems["a listing missed the caller's own group"] += 1
                try:
                    client.create_dataset_group(name=f"t{t}-{i}")
                    problems["a duplicate name was accepted"] += 1
                except client.exceptions.ResourceAlreadyExistsException:
                    pass
            except Exception as exc:  # any other error (a 500, a dropped connection) counts
                problems[f"{type(exc).__name__}: {exc}"[:200]] += 1

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not problems, problems
    client = boto3.client("personalize", **kwargs)
    pages = client.get_paginator("list_dataset_groups").paginate(PaginationConfig={"PageSize": 7})
    listed = [g["datasetGroupArn"] for page in pages for g in page["datasetGroups"]]
    assert len(created) == THREADS * PER_THREAD
    assert sorted(listed) == sorted(set(created))
