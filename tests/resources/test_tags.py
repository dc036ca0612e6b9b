"""TagResource, UntagResource, ListTagsForResource through boto3 on both doors."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from resource_samples import ACCOUNT, INTERACTIONS, error_of


def tags(**kv):
    return [{"tagKey": k, "tagValue": v} for k, v in kv.items()]


@pytest.fixture
def group(personalize):
    return personalize.create_dataset_group(name="g", tags=tags(team="recs"))["datasetGroupArn"]


def listed(personalize, arn):
    return {
        t["tagKey"]: t["tagValue"]
        for t in personalize.list_tags_for_resource(resourceArn=arn)["tags"]
    }


def test_tag_untag_list(personalize, group):
    personalize.tag_resource(resourceArn=group, tags=tags(env="dev", team="ml"))
    assert listed(personalize, group) == {"team": "ml", "env": "dev"}
    personalize.untag_resource(resourceArn=group, tagKeys=["team", "absent"])
    assert listed(personalize, group) == {"env": "dev"}
    personalize.untag_resource(resourceArn=group, tagKeys=["env"])
    assert personalize.list_tags_for_resource(resourceArn=group)["tags"] == []


def test_dataset_create_time_tags(personalize, group):
    schema = personalize.create_schema(name="s", schema=INTERACTIONS)["schemaArn"]
    dataset = personalize.create_dataset(
        name="d",
        schemaArn=schema,
        datasetGroupArn=group,
        datasetType="INTERACTIONS",
        tags=tags(kind="events"),
    )["datasetArn"]
    assert listed(personalize, dataset) == {"kind": "events"}
    assert listed(personalize, group) == {"team": "recs"}


def test_tags_go_with_the_resource(personalize, group):
    personalize.delete_dataset_group(datasetGroupArn=group)
    again = personalize.create_dataset_group(name="g")["datasetGroupArn"]
    assert again == group
    assert personalize.list_tags_for_resource(resourceArn=again)["tags"] == []


def test_more_than_200_tags_in_total(personalize, group):
    personalize.tag_resource(resourceArn=group, tags=tags(**{f"a{i}": "x" for i in range(150)}))
    with pytest.raises(ClientError) as exc:
        personalize.tag_resource(resourceArn=group, tags=tags(**{f"b{i}": "y" for i in range(51)}))
    assert error_of(exc)[0] == "TooManyTagsException"
    assert len(listed(personalize, group)) == 151
    # overwriting existing keys does not count twice
    personalize.tag_resource(resourceArn=group, tags=tags(**{f"a{i}": "z" for i in range(150)}))
    personalize.tag_resource(resourceArn=group, tags=tags(**{f"b{i}": "y" for i in range(49)}))
    assert len(listed(personalize, group)) == 200


def test_reserved_prefix(personalize, group):
    with pytest.raises(ClientError) as exc:
        personalize.tag_resource(resourceArn=group, tags=tags(**{"aws:owner": "me"}))
    assert error_of(exc)[0] == "InvalidInputException"
    assert listed(personalize, group) == {"team": "recs"}


def test_unknown_resource(personalize):
    arn = f"arn:aws:personalize:us-east-1:{ACCOUNT}:campaign/none"
    calls = [
        lambda: personalize.tag_resource(resourceArn=arn, tags=tags(a="b")),
        lambda: personalize.untag_resource(resourceArn=arn, tagKeys=["a"]),
        lambda: personalize.list_tags_for_resource(resourceArn=arn),
    ]
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == ("ResourceNotFoundException", f"Resource Arn {arn} does not exist.")


def test_untaggable_arns(personalize):
    schema = personalize.create_schema(name="s", schema=INTERACTIONS)["schemaArn"]
    for arn in (schema, "arn:aws:personalize:::recipe/aws-sims"):
        with pytest.raises(ClientError) as exc:
            personalize.tag_resource(resourceArn=arn, tags=tags(a="b"))
        code, message = error_of(exc)
        assert code == "InvalidInputException" and "resourceArn" in message
