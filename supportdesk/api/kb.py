"""The knowledge base over HTTP: /api/v1/kb/..."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["knowledge base"])
