"""Shared personas and fixtures for every test.

Personas: `admin`; agents `alice` and `bob` in group Billing (alice also in Technical);
light agent `lena`; customers `carol` (Acme, which does not share tickets), `dave`
(Acme), and `erin` of Globex.
"""

from __future__ import annotations

import os

import pytest

from supportdesk.accounts.models import Role


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    """In CI nothing may silently skip: a skip is a failure there."""
    if os.environ.get("CI") != "true":
        return
    for item in items:
        for mark in item.iter_markers("skip"):
            item.add_marker(pytest.mark.xfail(strict=True, reason=f"skipped in CI: {mark}"))


@pytest.fixture(autouse=True)
def _fresh_mail_config():  # type: ignore[no-untyped-def]
    """A test's rolled-back mailboxes and block list must not live on in the next one's
    cached copy (mail/config.py)."""
    yield
    from supportdesk.mail.config import forget

    forget()


@pytest.fixture(autouse=True)
def _default_rules(request):  # type: ignore[no-untyped-def]
    """Every test with a database starts from a default install, rules included: a
    transactional test empties the tables its data migration filled, so they are put
    back; and no test's rules live on in the trigger engine's cached copy."""
    from supportdesk.automation.engine import forget

    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    if (
        "transactional_db" in names
        or "live_server" in names
        or (marker and marker.kwargs.get("transaction"))
    ):
        request.getfixturevalue("transactional_db")
    elif marker or "_django_db_helper" in names:
        # pytest-django's `db` (a module's own fixture named `db` is something else).
        request.getfixturevalue("db")
    else:
        names = None
    if names is not None:
        from supportdesk.automation.defaults import install_defaults

        install_defaults(only_if_empty=True)
    forget()
    yield
    forget()


@pytest.fixture
def org_acme(db):  # type: ignore[no-untyped-def]
    from supportdesk.accounts.services import save_organization

    return save_organization(by=None, name="Acme", domains=["acme.test"])


@pytest.fixture
def org_globex(db):  # type: ignore[no-untyped-def]
    from supportdesk.accounts.services import save_organization

    return save_organization(by=None, name="Globex", domains=["globex.test"])


def _person(email: str, role: str, name: str):  # type: ignore[no-untyped-def]
    from supportdesk.accounts.models import User

    return User.objects.create_user(email, "pw", role=role, name=name)


@pytest.fixture
def admin(db):  # type: ignore[no-untyped-def]
    return _person("admin@example.test", Role.ADMIN, "Ada Admin")


@pytest.fixture
def alice(db):  # type: ignore[no-untyped-def]
    return _person("alice@example.test", Role.AGENT, "Alice Agent")


@pytest.fixture
def bob(db):  # type: ignore[no-untyped-def]
    return _person("bob@example.test", Role.AGENT, "Bob Agent")


@pytest.fixture
def lena(db):  # type: ignore[no-untyped-def]
    return _person("lena@example.test", Role.LIGHT_AGENT, "Lena Light")


@pytest.fixture
def billing(admin, alice, bob):  # type: ignore[no-untyped-def]
    from supportdesk.accounts.services import save_group

    return save_group(by=admin, name="Billing", members=[alice, bob], lead=alice)


@pytest.fixture
def technical(admin, alice):  # type: ignore[no-untyped-def]
    from supportdesk.accounts.services import save_group

    return save_group(by=admin, name="Technical", members=[alice])


@pytest.fixture
def carol(org_acme):  # type: ignore[no-untyped-def]
    from supportdesk.accounts.services import create_user

    return create_user(email="carol@acme.test", by=None, name="Carol Customer", password="pw")


@pytest.fixture
def dave(org_acme):  # type: ignore[no-untyped-def]
    from supportdesk.accounts.services import create_user

    return create_user(email="dave@acme.test", by=None, name="Dave Customer", password="pw")


@pytest.fixture
def erin(org_globex):  # type: ignore[no-untyped-def]
    from supportdesk.accounts.services import create_user

    return create_user(email="erin@globex.test", by=None, name="Erin Other", password="pw")


@pytest.fixture
def carol_ticket(carol):  # type: ignore[no-untyped-def]
    from supportdesk.tickets.services import create_ticket

    return create_ticket(
        by=carol,
        requester=carol,
        subject="Invoice 1042 charged twice",
        body="My card was charged twice for invoice 1042. Please refund one charge.",
    )
