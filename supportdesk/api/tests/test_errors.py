"""The error conventions: hostile or broken requests get a clear 4xx, never a 500."""

from __future__ import annotations

import json

from supportdesk.tickets.models import Ticket


def _raw(api, method, path, body, content_type="application/json"):  # type: ignore[no-untyped-def]
    send = getattr(api.client, method)
    return send(f"/api/v1{path}", body, content_type=content_type)


def test_malformed_json_is_400_with_a_clear_detail(as_user, alice, carol_ticket):
    api = as_user(alice)
    for body in ('{"subject": "x", ', "not json", b"\xff\xfe", "{'single': 'quotes'}"):
        answer = _raw(api, "post", "/tickets", body)
        assert answer.status_code == 400, body
        assert answer.json() == {"detail": "the request body is not valid JSON"}
    answer = _raw(api, "patch", f"/tickets/{carol_ticket.number}", "{")
    assert answer.status_code == 400


def test_json_that_is_not_an_object_is_422(as_user, alice, carol_ticket):
    api = as_user(alice)
    for body in ("[]", '"text"', "42", "null"):
        answer = _raw(api, "patch", f"/tickets/{carol_ticket.number}", body)
        assert answer.status_code == 422, (body, answer.content)


def test_unknown_fields_are_422_not_silently_dropped(as_user, alice, carol_ticket):
    answer = as_user(alice).patch(f"/tickets/{carol_ticket.number}", {"priorty": "high"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][-1] == "priorty"


def test_nul_characters_are_422_everywhere(as_user, alice, carol_ticket):
    api = as_user(alice)
    assert api.post("/tickets", {"subject": "a\x00b", "body": "x"}).status_code == 422
    nested = api.patch(f"/tickets/{carol_ticket.number}", {"custom_fields": {"k\x00": "v"}})
    assert nested.status_code == 422
    assert api.get("/tickets", tag="a\x00").status_code == 422
    assert api.get("/tickets", q="x\x00").status_code == 422
    assert not Ticket.objects.exclude(pk=carol_ticket.pk).exists()


def test_limit_minus_five_is_422_on_every_list(as_user, admin, carol_ticket):
    api = as_user(admin)
    n = carol_ticket.number
    for path in (
        "/tickets",
        f"/tickets/{n}/messages",
        f"/tickets/{n}/events",
        f"/tickets/{n}/links",
        "/customers",
        "/users",
        "/organizations",
        "/groups",
    ):
        answer = api.get(path, limit=-5)
        assert answer.status_code == 422, path
        assert answer.json()["detail"][0]["loc"][-1] == "limit"


def test_errors_are_json_with_detail(as_user, alice, carol_ticket):
    api = as_user(alice)
    answers = [
        api.get("/tickets/424242"),  # 404
        api.patch(f"/tickets/{carol_ticket.number}", {"group": "Nope"}),  # 400
        api.patch(f"/tickets/{carol_ticket.number}", {"priority": 7}),  # 422
    ]
    for answer in answers:
        assert answer["Content-Type"].startswith("application/json")
        assert "detail" in json.loads(answer.content)
