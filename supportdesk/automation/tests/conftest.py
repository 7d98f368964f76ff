"""Fixtures of the automation tests: the webhook receiver on loopback is the webhooks
app's; `on_commit` runs what a commit would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from supportdesk.webhooks.tests.conftest import closed_port_url, endpoint, receiver

__all__ = ["closed_port_url", "endpoint", "receiver"]


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """`with on_commit():` runs the jobs the block queued, as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
