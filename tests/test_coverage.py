"""Operation coverage against the installed botocore models: every GA operation of the three
services and every preview operation has a handler. A newer botocore that adds an operation
makes this fail, naming it."""

from __future__ import annotations

import botocore.session

from personalize_emulator.protocol.context import GA, PREVIEW
from personalize_emulator.protocol.coverage import coverage, ga_complete, render
from personalize_emulator.resources.handlers import registered_operations

GA_COUNTS = {"personalize": 71, "personalize-runtime": 3, "personalize-events": 5}


def test_every_operation_is_implemented():
    rows = coverage(registered_operations)
    report = render(rows)
    assert ga_complete(rows), report
    for row in rows:
        assert not row.missing, report
        assert not row.unknown, report
    ga = {r.service: r for r in rows if r.dialect == GA}
    assert set(ga) == set(GA_COUNTS)
    session = botocore.session.get_session()
    for service, row in ga.items():
        # the installed model decides; the counts document what was there when this was written
        installed = set(session.get_service_model(service).operation_names)
        assert set(row.implemented) == installed, report
        assert len(row.implemented) >= GA_COUNTS[service], report
    assert {r.service for r in rows if r.dialect == PREVIEW} >= {"personalize"}


def test_runtime_has_its_three_operations():
    runtime = {op for svc, op in registered_operations(GA) if svc == "personalize-runtime"}
    assert runtime == {"GetRecommendations", "GetPersonalizedRanking", "GetActionRecommendations"}
