"""Fixtures of the portal tests: mail that really goes out, a clean rate limit."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clean_cache():  # type: ignore[no-untyped-def]
    """Rate limits and the one-mail-a-minute gate live in the cache, shared by tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Run the on-commit work (subscribers, mail jobs) of the block, as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def acme_shares(org_acme):  # type: ignore[no-untyped-def]
    from supportdesk.accounts.services import save_organization

    return save_organization(by=None, organization=org_acme, shared_tickets=True)


def mails_to(address: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if address in m.to]


def link_in(message: mail.EmailMessage, prefix: str) -> str:
    """The path (and query) of the first link in a mail's body whose path starts with
    `prefix`; links in mail are absolute, on SITE_URL."""
    for found in re.findall(r"https?://\S+", message.body):
        url = urlparse(found.rstrip(".,;)"))  # as mail programs read a link in a sentence
        if url.path.startswith(prefix):
            return url.path + (f"?{url.query}" if url.query else "")
    raise AssertionError(f"no link to {prefix} in {message.body!r}")
