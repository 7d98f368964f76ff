"""The login form: e-mail and password, failures limited per address."""

from __future__ import annotations

from django.core.cache import cache
from django.test import override_settings


def test_login_with_any_address_and_wrong_password_message(client, carol):
    response = client.post("/login/", {"username": "carol@acme.test", "password": "nope"})
    assert response.status_code == 200
    assert b"do not match" in response.content
    response = client.post("/login/", {"username": "CAROL@acme.test", "password": "pw"})
    assert response.status_code == 302
    home = client.get("/", follow=True)
    assert home.redirect_chain[-1][0] == "/requests/"
    assert b"<h1>Your requests</h1>" in home.content


@override_settings(LOGIN_FAILURES_PER_MINUTE=3)
def test_failed_logins_are_limited_per_address(client, carol):
    cache.clear()
    for _ in range(3):
        client.post("/login/", {"username": "carol@acme.test", "password": "nope"})
    blocked = client.post("/login/", {"username": "carol@acme.test", "password": "pw"})
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    assert b"Too many failed attempts" in blocked.content
    other = client.post(
        "/login/", {"username": "carol@acme.test", "password": "pw"}, REMOTE_ADDR="10.9.9.9"
    )
    assert other.status_code == 302
    cache.clear()


def test_attachments_need_access_to_their_ticket(
    client, carol, erin, carol_ticket, settings, tmp_path
):
    from supportdesk.tickets.services import Upload, reply

    settings.MEDIA_ROOT = tmp_path
    message = reply(
        carol_ticket,
        author=carol,
        body="see file",
        attachments=[
            Upload(filename="a.html", content_type="text/html", data=b"<script>x</script>", size=18)
        ],
    )
    att = message.attachments.get()
    url = f"/files/{att.token}/{att.filename}"
    client.force_login(erin)
    assert client.get(url).status_code == 404
    client.force_login(carol)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
