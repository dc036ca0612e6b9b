"""Dataset groups through boto3 on both doors."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from resource_samples import ACCOUNT, INTERACTIONS, error_of

ROLE = f"arn:aws:iam::{ACCOUNT}:role/PersonalizeKms"
KMS = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_create_describe_list_delete(personalize):
    out = personalize.create_dataset_group(name="movies")
    arn = out["datasetGroupArn"]
    assert arn == f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset-group/movies"
    assert "domain" not in out
    group = personalize.describe_dataset_group(datasetGroupArn=arn)["datasetGroup"]
    assert group["name"] == "movies"
    assert group["datasetGroupArn"] == arn
    assert group["status"] == "ACTIVE"  # sync job mode
    assert group["lastUpdatedDateTime"] >= group["creationDateTime"]
    assert not {"domain", "roleArn", "kmsKeyArn", "failureReason"} & set(group)
    [summary] = personalize.list_dataset_groups()["datasetGroups"]
    assert summary["datasetGroupArn"] == arn and summary["status"] == "ACTIVE"
    assert "roleArn" not in summary
    personalize.delete_dataset_group(datasetGroupArn=arn)
    assert personalize.list_dataset_groups()["datasetGroups"] == []
    with pytest.raises(ClientError) as exc:
        personalize.describe_dataset_group(datasetGroupArn=arn)
    assert error_of(exc) == ("ResourceNotFoundException", f"Resource Arn {arn} does not exist.")


def test_domain_group_echoes_domain(personalize):
    out = personalize.create_dataset_group(name="shop", domain="ECOMMERCE")
    assert out["domain"] == "ECOMMERCE"
    group = personalize.describe_dataset_group(datasetGroupArn=out["datasetGroupArn"])
    assert group["datasetGroup"]["domain"] == "ECOMMERCE"
    assert personalize.list_dataset_groups()["datasetGroups"][0]["domain"] == "ECOMMERCE"


def test_kms_key_and_role(personalize):
    arn = personalize.create_dataset_group(name="secure", roleArn=ROLE, kmsKeyArn=KMS)[
        "datasetGroupArn"
    ]
    group = personalize.describe_dataset_group(datasetGroupArn=arn)["datasetGroup"]
    assert (group["roleArn"], group["kmsKeyArn"]) == (ROLE, KMS)


def test_role_without_kms_key_is_refused(personalize):
    with pytest.raises(ClientError) as exc:
        personalize.create_dataset_group(name="g", roleArn=ROLE)
    code, message = error_of(exc)
    assert code == "InvalidInputException" and "roleArn" in message
    assert personalize.list_dataset_groups()["datasetGroups"] == []


def test_duplicate_name_is_refused(personalize):
    arn = personalize.create_dataset_group(name="g")["datasetGroupArn"]
    with pytest.raises(ClientError) as exc:
        personalize.create_dataset_group(name="g", domain="ECOMMERCE")
    assert error_of(exc) == (
        "ResourceAlreadyExistsException",
        f"Another resource with Arn {arn} already exists.",
    )
    group = personalize.describe_dataset_group(datasetGroupArn=arn)["datasetGroup"]
    assert "domain" not in group


def test_delete_with_a_dataset_is_refused(personalize):
    schema = personalize.create_schema(name="s", schema=INTERACTIONS)["schemaArn"]
    group = personalize.create_dataset_group(name="g")["datasetGroupArn"]
    dataset = personalize.create_dataset(
        name="d", schemaArn=schema, datasetGroupArn=group, datasetType="Interactions"
    )["datasetArn"]
    with pytest.raises(ClientError) as exc:
        personalize.delete_dataset_group(datasetGroupArn=group)
    code, message = error_of(exc)
    assert code == "ResourceInUseException" and "datasets" in message
    assert personalize.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]["status"] == (
        "ACTIVE"
    )
    personalize.delete_dataset(datasetArn=dataset)
    personalize.delete_dataset_group(datasetGroupArn=group)
    assert personalize.list_dataset_groups()["datasetGroups"] == []


def test_unknown_and_wrong_kind(personalize):
    unknown = f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset-group/nope"
    for call in (personalize.describe_dataset_group, personalize.delete_dataset_group):
        with pytest.raises(ClientError) as exc:
            call(datasetGroupArn=unknown)
        assert error_of(exc) == (
            "ResourceNotFoundException",
            f"Resource Arn {unknown} does not exist.",
        )
    schema = personalize.create_schema(name="s", schema=INTERACTIONS)["schemaArn"]
    with pytest.raises(ClientError) as exc:
        personalize.describe_dataset_group(datasetGroupArn=schema)
    code, message = error_of(exc)
    assert code == "InvalidInputException" and "datasetGroupArn" in message


def test_list_is_newest_first(personalize):
    names = [f"g{i}" for i in range(4)]
    for name in names:
        personalize.create_dataset_group(name=name)
    listed = [g["name"] for g in personalize.list_dataset_groups()["datasetGroups"]]
    assert listed == names[::-1]


def test_create_time_tags(personalize):
    arn = personalize.create_dataset_group(name="g", tags=[{"tagKey": "team", "tagValue": "recs"}])[
        "datasetGroupArn"
    ]
    assert personalize.list_tags_for_resource(resourceArn=arn)["tags"] == [
        {"tagKey": "team", "tagValue": "recs"}
    ]


def test_too_many_create_time_tags(personalize):
    # the Tags list is capped at 200 by the model, so input validation refuses it
    tags = [{"tagKey": f"k{i}", "tagValue": "v"} for i in range(201)]
    with pytest.raises(ClientError) as exc:
        personalize.create_dataset_group(name="g", tags=tags)
    assert error_of(exc)[0] == "InvalidInputException"
    assert personalize.list_dataset_groups()["datasetGroups"] == []


def test_delete_with_a_tracker_or_solution_is_refused(personalize):
    group = personalize.create_dataset_group(name="g")["datasetGroupArn"]
    tracker = personalize.create_event_tracker(name="t", datasetGroupArn=group)["eventTrackerArn"]
    solution = personalize.create_solution(
        name="sol", datasetGroupArn=group, recipeArn="arn:aws:personalize:::recipe/aws-sims"
    )["solutionArn"]
    with pytest.raises(ClientError) as exc:
        personalize.delete_dataset_group(datasetGroupArn=group)
    code, message = error_of(exc)
    assert code == "ResourceInUseException"
    assert "solutions" in message and "event trackers" in message
    personalize.delete_solution(solutionArn=solution)
    with pytest.raises(ClientError) as exc:
        personalize.delete_dataset_group(datasetGroupArn=group)
    assert "event trackers" in error_of(exc)[1] and "solutions" not in error_of(exc)[1]
    personalize.delete_event_tracker(eventTrackerArn=tracker)
    personalize.delete_dataset_group(datasetGroupArn=group)
    assert personalize.list_dataset_groups()["datasetGroups"] == []
