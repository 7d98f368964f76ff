"""Fuzz the HTTP API from its own OpenAPI schema: no generated request, valid or not, may
get a server error, and 2xx answers must match the schema they are published with.

Schemathesis calls the Django WSGI application in this process, inside the test's
database transaction, with an agent's token (the widest view short of an admin), over a
small set of tickets so that some generated numbers and ids hit real rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from supportdesk.accounts.services import create_token
from supportdesk.tickets.services import create_ticket, reply

# The schema comes from the application itself (no server, no database needed to serve it).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


@pytest.fixture
def in_test_transaction(db: Any) -> Iterator[None]:
    """Django's test client does the same: a request must not close the connection that
    holds the test's transaction. Bad tokens are not what this test is about."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with override_settings(API_AUTH_FAILURES_PER_MINUTE=1_000_000):
            yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def agent_token(in_test_transaction: None, alice: Any, carol: Any, erin: Any, billing: Any) -> str:
    for requester in (carol, erin, carol):
        ticket = create_ticket(
            by=requester, requester=requester, subject="Printer jam", body="It jams on page 2."
        )
        reply(ticket, author=alice, body="Try turning it off and on.")
    return create_token(alice, name="fuzz")


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_api_never_answers_with_a_server_error(case: Any, agent_token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {agent_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
