"""Helpers of the admin page tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.fixture
def as_admin(client: Client, admin: Any) -> Client:
    client.force_login(admin)
    return client


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """`with on_commit():` runs what the block queued for after commit (jobs, mail)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def flash(response: Any) -> list[str]:
    """The flash messages a redirect left, as the next page shows them."""
    return [str(m) for m in response.wsgi_request._messages]
