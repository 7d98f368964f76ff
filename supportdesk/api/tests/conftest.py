"""API test helpers: a client per persona that sends that persona's token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from supportdesk.accounts.services import create_token

PREFIX = "/api/v1"


class ApiClient:
    """A Django test client that talks JSON to /api/v1 with one person's token."""

    def __init__(self, token: str | None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = Client(headers=headers)

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(PREFIX + path, params)

    def post(self, path: str, data: Any = None, **extra: Any) -> Any:
        body = json.dumps(data) if data is not None else ""
        return self.client.post(PREFIX + path, body, content_type="application/json", **extra)

    def patch(self, path: str, data: Any) -> Any:
        return self.client.patch(PREFIX + path, json.dumps(data), content_type="application/json")

    def delete(self, path: str, **params: Any) -> Any:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self.client.delete(PREFIX + path + (f"?{query}" if query else ""))


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Failed-token counters live in the cache; every test starts with none."""
    cache.clear()


@pytest.fixture
def as_user():  # type: ignore[no-untyped-def]
    """`as_user(person)` gives an ApiClient authenticated with a new token of theirs."""

    def make(user: Any) -> ApiClient:
        return ApiClient(create_token(user, name="test"))

    return make


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient(None)
