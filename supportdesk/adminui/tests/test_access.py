"""Who may open the admin pages: admins; agents get a 403 page, customers a 404 and
anonymous visitors the login page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from supportdesk.accounts.services import create_token
from supportdesk.tickets.services import update_ticket
from supportdesk.tickets.setup import save_custom_field, save_ticket_form


@pytest.fixture
def pages(admin, alice, carol, carol_ticket, billing, org_acme):  # type: ignore[no-untyped-def]
    field = save_custom_field(by=admin, key="plan", label="Plan", type="dropdown", options=["a"])
    form = save_ticket_form(by=admin, name="Billing", fields=[field])
    update_ticket(carol_ticket, by=alice, changes={"tags": ["refund"]})
    create_token(alice, name="ci")
    return [
        reverse("adminui:index"),
        reverse("adminui:agents"),
        reverse("adminui:agent_new"),
        reverse("adminui:agent", kwargs={"pk": alice.pk}),
        reverse("adminui:groups"),
        reverse("adminui:group_new"),
        reverse("adminui:group", kwargs={"pk": billing.pk}),
        reverse("adminui:group_delete", kwargs={"pk": billing.pk}),
        reverse("adminui:organizations"),
        reverse("adminui:organization_new"),
        reverse("adminui:organization", kwargs={"pk": org_acme.pk}),
        reverse("adminui:organization_delete", kwargs={"pk": org_acme.pk}),
        reverse("adminui:customers"),
        reverse("adminui:customer", kwargs={"pk": carol.pk}),
        reverse("adminui:setup"),
        reverse("adminui:field_new"),
        reverse("adminui:field", kwargs={"pk": field.pk}),
        reverse("adminui:form_new"),
        reverse("adminui:form", kwargs={"pk": form.pk}),
        reverse("adminui:tags"),
        reverse("adminui:tag") + "?tag=refund",
        reverse("adminui:tokens"),
    ]


def test_every_page_renders_for_an_admin_with_the_section_navigation(client, admin, pages):
    client.force_login(admin)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b'aria-label="Admin sections"' in response.content, url
        assert b'aria-current="page"' in response.content, url


def test_agents_get_403_customers_404_and_visitors_the_login(client, alice, lena, carol, pages):
    for url in pages:
        assert client.get(url).status_code == 302, url
        assert client.get(url)["Location"].startswith("/login/?next=")
    for agent in (alice, lena):
        client.force_login(agent)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 403, url
            assert b"Admins only" in response.content
    client.force_login(carol)
    for url in pages:
        assert client.get(url).status_code == 404, url


def test_posts_are_refused_the_same_way(client, alice, carol, billing):
    url = reverse("adminui:group_delete", kwargs={"pk": billing.pk})
    client.force_login(alice)
    assert client.post(url).status_code == 403
    client.force_login(carol)
    assert client.post(url).status_code == 404
    billing.refresh_from_db()


def test_missing_objects_are_404(as_admin):
    for name in ("agent", "group", "organization", "customer", "field", "form"):
        assert as_admin.get(reverse(f"adminui:{name}", kwargs={"pk": 999999})).status_code == 404
