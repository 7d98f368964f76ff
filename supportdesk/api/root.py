"""The HTTP API at /api/v1/: one NinjaAPI, one router per resource."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="supportdesk API", version="1", urls_namespace="api")
