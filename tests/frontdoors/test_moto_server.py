"""moto's own ThreadedMotoServer serves Personalize too once ``register()`` has run."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer

from personalize_emulator.mock import register


@pytest.fixture
def moto_server():
    register()
    server = ThreadedMotoServer(port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def test_all_three_apis_route_to_us(moto_server, temp_handlers):
    temp_handlers(
        "personalize", "ListRecipes", lambda store, **_: {"recipes": [{"name": store.region}]}
    )
    kw = dict(
        endpoint_url=moto_server,
        region_name="ap-southeast-2",
        aws_access_key_id="a",
        aws_secret_access_key="b",
    )
    assert boto3.client("personalize", **kw).list_recipes()["recipes"] == [
        {"name": "ap-southeast-2"}
    ]
    with pytest.raises(ClientError) as info:
        boto3.client("personalize-events", **kw).put_events(
            trackingId="t",
            sessionId="s",
            eventList=[{"eventType": "x", "sentAt": 1, "itemId": "i" * 257}],
        )
    assert info.value.response["Error"]["Code"] == "InvalidInputException"
    assert (
        "at 'eventList.1.member.itemId' failed to satisfy constraint"
        in info.value.response["Error"]["Message"]
    )
