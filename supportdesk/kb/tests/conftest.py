from __future__ import annotations

import pytest

from supportdesk.kb import services


@pytest.fixture
def section(admin):  # type: ignore[no-untyped-def]
    category = services.save_category(by=admin, name="Billing")
    return services.save_section(by=admin, category=category, name="Invoices")


@pytest.fixture
def publish(admin, section):  # type: ignore[no-untyped-def]
    """Make a published article: publish(title, body, **options)."""

    def make(title: str, body: str = "", **options):  # type: ignore[no-untyped-def]
        options.setdefault("state", "published")
        return services.create_article(
            by=admin, section=section, title=title, body=body or title, **options
        )

    return make
