"""The webhook admin pages: admins manage endpoints and read the delivery log; agents
get a 403, customers a 404, as on every admin page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from supportdesk.webhooks.delivery import MAX_ATTEMPTS, attempt_delivery
from supportdesk.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from supportdesk.webhooks.services import send_webhook


def _url(name: str, **kwargs: int) -> str:
    return reverse(f"adminui:webhooks:{name}", kwargs=kwargs)


def _flash(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in response.wsgi_request._messages]


def test_admin_adds_an_endpoint_sees_its_secret_and_its_last_delivery(
    client, admin, on_commit, receiver
):
    client.force_login(admin)
    assert b"Webhooks" in client.get(reverse("adminui:index")).content
    page = client.get(_url("endpoint_new"))
    assert page.status_code == 200 and b'name="url"' in page.content

    response = client.post(
        _url("endpoint_new"), {"name": "Pager", "url": receiver.url, "enabled": "on"}
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == _url("endpoint", pk=endpoint.pk)
    detail = client.get(response["Location"])
    assert endpoint.secret.encode() in detail.content
    assert b"Nothing sent yet" in detail.content

    with on_commit():
        response = client.post(_url("endpoint_test", pk=endpoint.pk))
    assert response.status_code == 302
    assert "Sent a test to Pager" in _flash(response)[0]
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "test" and delivery.status == DeliveryStatus.DELIVERED
    assert len(receiver.requests) == 1

    listing = client.get(_url("endpoints")).content.decode()
    assert "Pager" in listing and receiver.url in listing
    assert 'class="badge delivery-delivered">Delivered' in listing
    detail = client.get(_url("endpoint", pk=endpoint.pk)).content.decode()
    assert "HTTP 200" in detail and "test sent by" in detail


def test_bad_input_rerenders_the_form_with_what_was_typed(client, admin):
    client.force_login(admin)
    response = client.post(
        _url("endpoint_new"), {"name": "Chat", "url": "ftp://files.example.com/"}
    )
    assert response.status_code == 400
    assert b"Use an http:// or https:// address" in response.content
    assert b'value="ftp://files.example.com/"' in response.content
    assert not WebhookEndpoint.objects.exists()


def test_admin_edits_rotates_and_deletes_an_endpoint(client, admin, endpoint, receiver):
    client.force_login(admin)
    response = client.post(
        _url("endpoint_edit", pk=endpoint.pk), {"name": "Paging", "url": receiver.url}
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.name == "Paging" and not endpoint.enabled

    old = endpoint.secret
    assert client.get(_url("endpoint_rotate", pk=endpoint.pk)).status_code == 405
    client.post(_url("endpoint_rotate", pk=endpoint.pk))
    endpoint.refresh_from_db()
    assert endpoint.secret != old

    assert b"Delete endpoint Paging?" in client.get(_url("endpoint_delete", pk=endpoint.pk)).content
    response = client.post(_url("endpoint_delete", pk=endpoint.pk))
    assert response["Location"] == _url("endpoints")
    assert not WebhookEndpoint.objects.exists()
    assert client.get(_url("endpoint", pk=endpoint.pk)).status_code == 404


def test_failed_deliveries_have_a_deliver_again_button(
    client, admin, on_commit, endpoint, receiver
):
    receiver.answer(*[500] * MAX_ATTEMPTS)
    with on_commit():
        delivery = send_webhook(
            endpoint, event="sla.breached", payload={"ticket": 7}, source="rule 'Late' on #7"
        )
    assert delivery is not None
    for done in range(1, MAX_ATTEMPTS):
        attempt_delivery(delivery.pk, expected=done)
    client.force_login(admin)
    redeliver_url = _url("delivery_redeliver", pk=endpoint.pk, delivery_pk=delivery.pk)
    page = client.get(_url("endpoint", pk=endpoint.pk)).content.decode()
    assert "Gave up after 6 attempts" in page and page.count("HTTP 500") == MAX_ATTEMPTS
    assert redeliver_url in page and "rule &#x27;Late&#x27; on #7" in page

    with on_commit():
        response = client.post(redeliver_url)
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    page = client.get(_url("endpoint", pk=endpoint.pk)).content.decode()
    assert redeliver_url not in page
    response = client.post(redeliver_url)
    assert "Only a failed delivery" in _flash(response)[0]


def test_agents_get_403_customers_404(client, alice, lena, carol, endpoint):
    pages = [
        _url("endpoints"),
        _url("endpoint_new"),
        _url("endpoint", pk=endpoint.pk),
        _url("endpoint_edit", pk=endpoint.pk),
        _url("endpoint_delete", pk=endpoint.pk),
    ]
    posts = [
        _url("endpoint_test", pk=endpoint.pk),
        _url("endpoint_rotate", pk=endpoint.pk),
        _url("endpoint_delete", pk=endpoint.pk),
    ]
    for agent in (alice, lena):
        client.force_login(agent)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 403, url
            assert endpoint.secret.encode() not in response.content
        for url in posts:
            assert client.post(url).status_code == 403, url
    client.force_login(carol)
    for url in pages + posts:
        assert client.post(url).status_code == 404, url
        assert client.get(url).status_code in (404, 405), url
    assert WebhookEndpoint.objects.get().secret == endpoint.secret
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize("rows", [2, 30])
def test_the_delivery_log_makes_a_fixed_number_of_queries(
    client, admin, on_commit, endpoint, receiver, rows, django_assert_max_num_queries
):
    receiver.answer(*[500] * rows)
    with on_commit():
        for i in range(rows):
            send_webhook(endpoint, event="sla.breached", payload={"i": i})
    for delivery in WebhookDelivery.objects.all():
        attempt_delivery(delivery.pk)
    client.force_login(admin)
    with django_assert_max_num_queries(12):
        response = client.get(_url("endpoint", pk=endpoint.pk))
    assert response.status_code == 200
    assert response.content.count(b"HTTP 200") == rows
    with django_assert_max_num_queries(12):
        assert client.get(_url("endpoints")).status_code == 200


def test_the_delivery_log_pages_by_cursor_newest_first(client, admin, on_commit, endpoint):
    with on_commit():
        for i in range(55):
            send_webhook(endpoint, event=f"e{i}", payload={})
    client.force_login(admin)
    first = client.get(_url("endpoint", pk=endpoint.pk)).content.decode()
    assert "<code>e54</code>" in first and "<code>e4</code>" not in first
    assert 'rel="next"' in first
    next_href = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = client.get(
        _url("endpoint", pk=endpoint.pk) + next_href.replace("&amp;", "&")
    ).content.decode()
    assert "<code>e4</code>" in second and "<code>e54</code>" not in second
    bad = client.get(_url("endpoint", pk=endpoint.pk) + "?cursor=nonsense")
    assert bad.status_code == 200 and b"out of date" in bad.content
