"""ARN table: build, parse, kind checks, partitions."""

import pytest

from personalize_emulator.protocol.errors import InvalidInputException, ResourceNotFoundException
from personalize_emulator.resources import arns

ACCOUNT = "123456789012"


@pytest.mark.parametrize(
    ("kind", "parts", "suffix"),
    [
        ("dataset-group", ("g",), "dataset-group/g"),
        ("schema", ("s",), "schema/s"),
        ("dataset", ("g", "INTERACTIONS"), "dataset/g/INTERACTIONS"),
        ("dataset", ("g", "ACTION_INTERACTIONS"), "dataset/g/ACTION_INTERACTIONS"),
        ("solution", ("sol",), "solution/sol"),
        ("solution-version", ("sol", "1234abcd"), "solution/sol/1234abcd"),
        ("event-tracker", ("t",), "event-tracker/t"),
        ("batch-segment-job", ("j",), "batch-segment-job/j"),
    ],
)
def test_build_and_parse_round_trip(kind, parts, suffix):
    arn = arns.build(kind, *parts, region="eu-west-1", account=ACCOUNT)
    assert arn == f"arn:aws:personalize:eu-west-1:{ACCOUNT}:{suffix}"
    parsed = arns.parse(arn)
    got_kind, got_parts = parsed
    assert (got_kind, got_parts) == (kind, parts)
    assert (parsed.region, parsed.account, parsed.partition) == ("eu-west-1", ACCOUNT, "aws")


def test_catalogue_arns_are_global():
    assert arns.build("recipe", "aws-sims") == "arn:aws:personalize:::recipe/aws-sims"
    assert arns.kind_of(
        "arn:aws:personalize:::feature-transformation/JSON-percentile-filtering"
    ) == ("feature-transformation")
    # a recipe ARN never carries a region or account
    assert arns.parse(f"arn:aws:personalize:us-east-1:{ACCOUNT}:recipe/aws-sims") is None
    # and a regional kind always does
    assert arns.parse("arn:aws:personalize:::schema/s") is None


@pytest.mark.parametrize(
    ("region", "partition"),
    [("us-east-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")],
)
def test_partition_follows_region(region, partition):
    assert arns.build("schema", "s", region=region, account=ACCOUNT).startswith(f"arn:{partition}:")
    assert (
        arns.parse(arns.build("schema", "s", region=region, account=ACCOUNT)).partition == partition
    )


def test_latest_alias_parses_as_a_solution_version():
    arn = f"arn:aws:personalize:us-east-1:{ACCOUNT}:solution/sol/$LATEST"
    assert arns.kind_of(arn) == "solution-version"


@pytest.mark.parametrize(
    "arn",
    [
        "sth",
        f"arn:aws:s3:us-east-1:{ACCOUNT}:schema/s",
        f"arn:aws:personalize:us-east-1:{ACCOUNT}:unknown-kind/x",
        f"arn:aws:personalize:us-east-1:{ACCOUNT}:schema/",
        f"arn:aws:personalize:us-east-1:{ACCOUNT}:schema/a/b/c",
    ],
)
def test_parse_rejects_non_personalize_arns(arn):
    assert arns.parse(arn) is None


def test_expect_names_member_and_kind():
    arn = arns.build("schema", "s", region="us-east-1", account=ACCOUNT)
    with pytest.raises(InvalidInputException) as err:
        arns.expect(arn, "dataset-group", "datasetGroupArn")
    assert "datasetGroupArn" in err.value.message
    assert "dataset group" in err.value.message
    assert arns.expect(arn, "schema", "schemaArn").kind == "schema"


def test_not_found_uses_motos_wording():
    err = arns.not_found("arn:aws:personalize:us-east-1:123456789012:schema/x")
    assert isinstance(err, ResourceNotFoundException)
    assert (
        err.message
        == "Resource Arn arn:aws:personalize:us-east-1:123456789012:schema/x does not exist."
    )


def test_version_ids_are_eight_hex_chars():
    ids = {arns.new_version_id() for _ in range(20)}
    assert all(len(i) == 8 and int(i, 16) >= 0 and i == i.lower() for i in ids)
    assert len(ids) > 1


def test_expect_with_several_kinds():
    arn = arns.build("schema", "s", region="us-east-1", account=ACCOUNT)
    with pytest.raises(InvalidInputException) as err:
        arns.expect(arn, ("event-tracker", "dataset"), "resourceArn")
    assert "an event tracker or a dataset" in err.value.message
