"""The documented local ``dataLocation`` extension: an import job reads a local CSV given as a
``file://`` URI or an absolute path. botocore does not check patterns on the client, so only
our validator's exemption lets it reach the handler."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from runtime_support import ROLE, SCHEMAS, error_of, small_world


def _dataset(personalize) -> str:
    group = personalize.create_dataset_group(name="local")["datasetGroupArn"]
    schema = personalize.create_schema(name="local", schema=SCHEMAS["Interactions"])["schemaArn"]
    return personalize.create_dataset(name="local", schemaArn=schema, datasetGroupArn=group,
                                      datasetType="Interactions")["datasetArn"]  # fmt: skip


@pytest.mark.parametrize("door", ["mock"], indirect=True)
def test_import_from_a_local_file(aws, tmp_path):
    personalize = aws.client("personalize")
    dataset = _dataset(personalize)
    frame = small_world(n_users=30).data.interactions
    path = tmp_path / "interactions.csv"
    frame.to_csv(path, index=False)
    for k, location in enumerate((path.as_uri(), str(path))):
        job = personalize.create_dataset_import_job(
            jobName=f"local-{k}", datasetArn=dataset, roleArn=ROLE,
            dataSource={"dataLocation": location},
        )["datasetImportJobArn"]  # fmt: skip
        described = personalize.describe_dataset_import_job(datasetImportJobArn=job)
        assert described["datasetImportJob"]["status"] == "ACTIVE", described
        assert described["datasetImportJob"]["dataSource"]["dataLocation"] == location
    store = aws.store()
    from personalize_emulator.resources.datastore import table_for

    with store.lock:
        table = table_for(store, store.records["dataset"][dataset])
    assert table.row_count() == len(frame)
    # the exemption is for file:// URIs and absolute paths only
    with pytest.raises(ClientError) as exc:
        personalize.create_dataset_import_job(jobName="relative", datasetArn=dataset,
                                              roleArn=ROLE,
                                              dataSource={"dataLocation": "data/x.csv"})  # fmt: skip
    code, message = error_of(exc)
    assert code == "InvalidInputException" and "dataSource.dataLocation" in message
