"""Organizations: search, pages, create with domains, edit, delete."""

from __future__ import annotations

from django.urls import reverse

from supportdesk.accounts.models import Organization
from supportdesk.accounts.services import save_organization


def test_create_edit_and_delete_an_organization(as_admin, carol):
    created = as_admin.post(
        reverse("adminui:organization_new"),
        {"name": "Initech", "domains": "initech.test, Initech.example\n@tps.test", "notes": "Big"},
        follow=True,
    )
    assert "Saved organization Initech." in created.content.decode()
    org = Organization.objects.get(name="Initech")
    assert sorted(org.domain_rows.values_list("domain", flat=True)) == [
        "initech.example",
        "initech.test",
        "tps.test",
    ]
    assert not org.shared_tickets
    url = reverse("adminui:organization", kwargs={"pk": org.pk})
    assert "initech.example\ninitech.test\ntps.test" in as_admin.get(url).content.decode()
    as_admin.post(url, {"name": "Initech Ltd", "domains": "initech.test", "shared_tickets": "on"})
    org.refresh_from_db()
    assert org.name == "Initech Ltd" and org.shared_tickets and org.notes == ""
    assert list(org.domain_rows.values_list("domain", flat=True)) == ["initech.test"]
    delete = reverse("adminui:organization_delete", kwargs={"pk": org.pk})
    assert "Delete organization Initech Ltd?" in as_admin.get(delete).content.decode()
    as_admin.post(delete)
    assert not Organization.objects.filter(pk=org.pk).exists()


def test_a_domain_of_another_organization_is_refused_and_input_kept(as_admin, org_acme):
    response = as_admin.post(
        reverse("adminui:organization_new"), {"name": "Copycat", "domains": "acme.test"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "acme.test belongs to another organization" in body
    assert 'value="Copycat"' in body
    assert not Organization.objects.filter(name="Copycat").exists()
    bad = as_admin.post(reverse("adminui:organization_new"), {"name": "X", "domains": "nodot"})
    assert "&#x27;nodot&#x27; is not a domain" in bad.content.decode()


def test_search_by_name_and_pages_by_cursor(as_admin, admin):
    for i in range(60):
        save_organization(by=admin, name=f"Org {i:02d}")
    save_organization(by=admin, name="Umbrella")
    first = as_admin.get(reverse("adminui:organizations"))
    assert first.context["rows"][0].name == "Org 00" and len(first.context["rows"]) == 50
    second = as_admin.get(reverse("adminui:organizations"), {"cursor": first.context["next"]})
    assert [o.name for o in second.context["rows"]][-2:] == ["Org 59", "Umbrella"]
    assert second.context["next"] is None
    found = as_admin.get(reverse("adminui:organizations"), {"q": "umbr"})
    assert [o.name for o in found.context["rows"]] == ["Umbrella"]
    forged = as_admin.get(reverse("adminui:organizations"), {"cursor": "nope"})
    assert forged.status_code == 200
    assert "That page link is out of date" in forged.content.decode()


def test_htmx_search_gets_only_the_results(as_admin, org_acme):
    response = as_admin.get(
        reverse("adminui:organizations"),
        {"q": "acme"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert "Acme" in body and "<html" not in body
