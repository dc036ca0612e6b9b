"""Paged List operations through boto3 on both doors: pages, paginators, bad tokens."""

from __future__ import annotations

import base64
import json

import pytest
from botocore.exceptions import ClientError
from resource_samples import INTERACTIONS, ITEMS, USERS, error_of


def test_list_schemas_pages_newest_first(personalize):
    names = [f"s{i:02d}" for i in range(7)]
    for name in names:
        personalize.create_schema(name=name, schema=INTERACTIONS)
    seen, token = [], None
    pages = 0
    while True:
        kwargs = {"maxResults": 3, **({"nextToken": token} if token else {})}
        page = personalize.list_schemas(**kwargs)
        assert len(page["schemas"]) <= 3
        seen += [s["name"] for s in page["schemas"]]
        pages += 1
        token = page.get("nextToken")
        if not token:
            break
    assert pages == 3
    assert seen == names[::-1]


def test_paginator_sees_everything(personalize):
    for i in range(5):
        personalize.create_dataset_group(name=f"g{i}")
    paginator = personalize.get_paginator("list_dataset_groups")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["datasetGroups"]) for p in pages] == [2, 2, 1]
    assert sorted(g["name"] for p in pages for g in p["datasetGroups"]) == [
        f"g{i}" for i in range(5)
    ]


def test_creations_between_pages_do_not_repeat_items(personalize):
    for i in range(4):
        personalize.create_schema(name=f"s{i}", schema=INTERACTIONS)
    first = personalize.list_schemas(maxResults=2)
    personalize.create_schema(name="late", schema=INTERACTIONS)
    second = personalize.list_schemas(maxResults=2, nextToken=first["nextToken"])
    names = [s["name"] for s in first["schemas"] + second["schemas"]]
    assert names == ["s3", "s2", "s1", "s0"]


def test_datasets_paged_within_a_group(personalize):
    group = personalize.create_dataset_group(name="g")["datasetGroupArn"]
    other = personalize.create_dataset_group(name="other")["datasetGroupArn"]
    for name, text, dataset_type in (
        ("i", INTERACTIONS, "INTERACTIONS"),
        ("it", ITEMS, "ITEMS"),
        ("u", USERS, "USERS"),
    ):
        schema = personalize.create_schema(name=name, schema=text)["schemaArn"]
        personalize.create_dataset(
            name=name, schemaArn=schema, datasetGroupArn=group, datasetType=dataset_type
        )
    first = personalize.list_datasets(datasetGroupArn=group, maxResults=2)
    assert len(first["datasets"]) == 2
    rest = personalize.list_datasets(
        datasetGroupArn=group, maxResults=2, nextToken=first["nextToken"]
    )
    assert len(rest["datasets"]) == 1 and "nextToken" not in rest
    # the token belongs to the listing of `group`, not to another group's or to all datasets
    for kwargs in ({"datasetGroupArn": other}, {}):
        with pytest.raises(ClientError) as exc:
            personalize.list_datasets(nextToken=first["nextToken"], **kwargs)
        assert error_of(exc)[0] == "InvalidNextTokenException"


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        base64.urlsafe_b64encode(json.dumps({"l": "0" * 16, "a": "x", "o": 1}).encode()).decode(),
    ],
)
def test_bad_tokens(personalize, token):
    for i in range(3):
        personalize.create_schema(name=f"s{i}", schema=INTERACTIONS)
    with pytest.raises(ClientError) as exc:
        personalize.list_schemas(nextToken=token)
    assert error_of(exc)[0] == "InvalidNextTokenException"


def test_token_of_another_operation(personalize):
    for i in range(3):
        personalize.create_schema(name=f"s{i}", schema=INTERACTIONS)
        personalize.create_dataset_group(name=f"g{i}")
    token = personalize.list_schemas(maxResults=1)["nextToken"]
    with pytest.raises(ClientError) as exc:
        personalize.list_dataset_groups(nextToken=token)
    assert error_of(exc)[0] == "InvalidNextTokenException"


def test_max_results_above_100(personalize):
    # botocore checks the minimum (1) itself; the maximum is the service's to refuse
    with pytest.raises(ClientError) as exc:
        personalize.list_schemas(maxResults=101)
    assert error_of(exc)[0] == "InvalidInputException"
