"""Sending webhooks to a real HTTP receiver on loopback: body, headers, signature,
retries, the attempt log and giving up.

Jobs run at once in the tests (HUEY_IMMEDIATE), but a retry scheduled for later stays in
Huey's in-memory schedule; the tests make the later attempts by calling
`attempt_delivery` themselves, as the scheduled job would.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from supportdesk.lib.errors import DomainError, PermissionDenied
from supportdesk.webhooks.delivery import BACKOFF, MAX_ATTEMPTS, attempt_delivery, resume_stalled
from supportdesk.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from supportdesk.webhooks.services import (
    redeliver,
    rotate_secret,
    save_endpoint,
    send_test,
    send_webhook,
    verify_signature,
)


def _send(on_commit, endpoint, **kwargs):  # type: ignore[no-untyped-def]
    with on_commit():
        delivery = send_webhook(
            endpoint,
            event=kwargs.pop("event", "sla.breached"),
            payload=kwargs.pop("payload", {"ticket": 42}),
            **kwargs,
        )
    assert delivery is not None
    delivery.refresh_from_db()
    return delivery


def test_delivery_posts_signed_json_with_the_documented_headers(on_commit, endpoint, receiver):
    delivery = _send(on_commit, endpoint, source="escalation rule 'Urgent breach' on #42")

    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1 and delivery.delivered_at is not None
    [request] = receiver.requests
    assert request.path == "/hook"
    body = json.loads(request.body)
    assert body == {
        "id": delivery.pk,
        "event": "sla.breached",
        "created_at": delivery.created_at.isoformat(),
        "data": {"ticket": 42},
    }
    headers = request.headers
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == "supportdesk-webhooks"
    assert headers["x-supportdesk-event"] == "sla.breached"
    assert headers["x-supportdesk-delivery"] == str(delivery.pk)
    signature = headers["x-supportdesk-signature"]
    assert signature.startswith("t=") and ",v1=" in signature
    assert verify_signature(endpoint.secret, signature, request.body)
    assert not verify_signature(endpoint.secret, signature, request.body.replace(b"42", b"43"))
    assert not verify_signature("another secret", signature, request.body)
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code == 200 and attempt.response_excerpt == "ok" and not attempt.error


def test_a_500_then_a_200_makes_two_logged_attempts_and_delivers(on_commit, endpoint, receiver):
    receiver.answer((500, {}, b"database down"))
    before = timezone.now()
    delivery = _send(on_commit, endpoint)

    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.next_attempt_at is not None
    due_in = (delivery.next_attempt_at - before).total_seconds()
    assert BACKOFF[0] <= due_in < BACKOFF[0] + 10

    attempt_delivery(delivery.pk, expected=1)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert delivery.next_attempt_at is None
    first, second = delivery.attempt_log.order_by("id")
    assert (first.status_code, first.response_excerpt) == (500, "database down")
    assert second.status_code == 200
    assert len(receiver.requests) == 2
    # Each attempt is signed afresh; the delivery id stays the same.
    ids = {r.headers["x-supportdesk-delivery"] for r in receiver.requests}
    assert ids == {str(delivery.pk)}


def test_a_stale_or_duplicate_job_makes_no_second_post(on_commit, endpoint, receiver):
    receiver.answer(503)
    delivery = _send(on_commit, endpoint)
    assert attempt_delivery(delivery.pk, expected=0) is None
    assert len(receiver.requests) == 1
    attempt_delivery(delivery.pk, expected=1)
    assert attempt_delivery(delivery.pk, expected=1) is None
    assert len(receiver.requests) == 2


def test_a_network_error_is_logged_without_a_status_code(on_commit, admin, closed_port_url):
    endpoint = save_endpoint(by=admin, name="Nobody home", url=closed_port_url)
    delivery = _send(on_commit, endpoint)

    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code is None
    assert "ConnectError" in attempt.error
    assert endpoint.secret not in attempt.error


def test_after_the_last_attempt_the_delivery_fails(on_commit, endpoint, receiver, caplog):
    receiver.answer(*[500] * MAX_ATTEMPTS)
    delivery = _send(on_commit, endpoint)
    for done in range(1, MAX_ATTEMPTS):
        attempt_delivery(delivery.pk, expected=done)

    delivery.refresh_from_db()
    assert MAX_ATTEMPTS == 6
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == MAX_ATTEMPTS and delivery.next_attempt_at is None
    assert [a.status_code for a in delivery.attempt_log.all()] == [500] * MAX_ATTEMPTS
    assert attempt_delivery(delivery.pk) is None
    assert len(receiver.requests) == MAX_ATTEMPTS
    assert "giving up" in caplog.text
    assert endpoint.secret not in caplog.text


def test_a_redirect_counts_as_a_failure_and_is_not_followed(on_commit, endpoint, receiver):
    receiver.answer((302, {"Location": receiver.url + "/moved"}, b""))
    delivery = _send(on_commit, endpoint)

    assert delivery.status == DeliveryStatus.PENDING
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code == 302
    assert "redirected to" in attempt.error and "/hook/moved" in attempt.error
    assert [r.path for r in receiver.requests] == ["/hook"]


def test_a_disabled_endpoint_records_and_sends_nothing(on_commit, admin, endpoint, receiver):
    save_endpoint(by=admin, endpoint=endpoint, name="Pager", url=receiver.url, enabled=False)
    with on_commit():
        assert send_webhook(endpoint, event="emergency.raised", payload={}) is None
    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []
    with pytest.raises(DomainError, match="disabled"):
        send_test(endpoint, by=admin)


def test_disabling_an_endpoint_stops_its_pending_retries(on_commit, admin, endpoint, receiver):
    receiver.answer(500)
    delivery = _send(on_commit, endpoint)
    save_endpoint(by=admin, endpoint=endpoint, name="Pager", url=receiver.url, enabled=False)
    attempt_delivery(delivery.pk, expected=1)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert "disabled" in delivery.attempt_log.order_by("-id")[0].error
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "example.com",
        "",
        "http://",
    ],
)
def test_only_http_and_https_urls_are_accepted(admin, url):
    with pytest.raises(DomainError, match="^url: "):
        save_endpoint(by=admin, name="Bad", url=url)
    assert not WebhookEndpoint.objects.exists()


def test_endpoints_get_a_secret_and_a_unique_name_and_only_admins_manage_them(admin, alice):
    first = save_endpoint(by=admin, name="Chat", url="https://chat.example.com/hook")
    assert len(first.secret) >= 40
    with pytest.raises(DomainError, match="^name: another endpoint"):
        save_endpoint(by=admin, name="chat", url="https://other.example.com/")
    with pytest.raises(PermissionDenied):
        save_endpoint(by=alice, name="Mine", url="https://example.com/")
    old = first.secret
    rotate_secret(first, by=admin)
    first.refresh_from_db()
    assert first.secret != old


def test_a_rotated_secret_signs_the_next_attempt(on_commit, admin, endpoint, receiver):
    receiver.answer(500)
    delivery = _send(on_commit, endpoint)
    rotate_secret(endpoint, by=admin)
    attempt_delivery(delivery.pk)
    retry = receiver.requests[1]
    assert verify_signature(endpoint.secret, retry.headers["x-supportdesk-signature"], retry.body)


def test_payload_values_are_stored_as_the_json_we_send(on_commit, endpoint, receiver):
    when = timezone.now().replace(microsecond=0)
    delivery = _send(on_commit, endpoint, payload={"due": when})
    assert delivery.payload == {"due": when.isoformat().replace("+00:00", "Z")}
    assert json.loads(receiver.requests[0].body)["data"] == delivery.payload
    with pytest.raises(DomainError, match="^payload: "):
        send_webhook(endpoint, event="x", payload={"x": object()})


def test_redelivering_a_failed_delivery_starts_a_new_series(
    on_commit, admin, alice, endpoint, receiver
):
    receiver.answer(*[500] * MAX_ATTEMPTS)
    delivery = _send(on_commit, endpoint)
    for done in range(1, MAX_ATTEMPTS):
        attempt_delivery(delivery.pk, expected=done)
    delivery.refresh_from_db()

    with pytest.raises(PermissionDenied):
        redeliver(delivery, by=alice)
    with on_commit():
        redeliver(delivery, by=admin)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1
    assert delivery.attempt_log.count() == MAX_ATTEMPTS + 1
    with pytest.raises(DomainError, match="only a failed delivery"):
        redeliver(delivery, by=admin)


def test_stalled_deliveries_are_resumed_by_the_sweeper(on_commit, endpoint, receiver):
    receiver.answer(500)
    delivery = _send(on_commit, endpoint)
    with on_commit():
        assert resume_stalled() == 0
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(hours=1)
    )
    with on_commit():
        assert resume_stalled() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
