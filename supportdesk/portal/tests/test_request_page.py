"""/requests/<n>/: the public conversation, replies with files, "mark as solved", and
replies to solved and closed requests."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from supportdesk.tickets.models import Status, Ticket
from supportdesk.tickets.services import close_solved_tickets, reply, update_ticket


def test_the_page_shows_the_public_conversation_with_files(
    client, carol, alice, carol_ticket, media
):
    from supportdesk.tickets.services import Upload

    reply(
        carol_ticket,
        author=alice,
        body="Refunded.\nIt shows in 3 days.",
        attachments=[
            Upload(filename="receipt.pdf", content_type="application/pdf", data=b"%PDF", size=4)
        ],
        status=Status.PENDING,
    )
    client.force_login(carol)
    page = client.get(f"/requests/{carol_ticket.pk}/")
    text = page.content.decode()
    assert "<h1>Invoice 1042 charged twice</h1>" in text
    assert f"Request #{carol_ticket.pk}" in text and "Awaiting your reply" in text
    assert "My card was charged twice" in text
    assert "<p>Refunded.<br>It shows in 3 days.</p>" in text
    assert "Support team" in text and "Alice Agent" in text
    att = carol_ticket.messages.get(author=alice).attachments.get()
    assert f'href="/files/{att.token}/receipt.pdf"' in text
    assert "Mark as solved" in text


def test_a_reply_is_added_and_reopens_a_pending_request(client, carol, alice, carol_ticket, media):
    reply(carol_ticket, author=alice, body="Which card?", status=Status.PENDING)
    client.force_login(carol)
    response = client.post(
        f"/requests/{carol_ticket.pk}/reply/",
        {"body": "The Visa one.", "attachments": [SimpleUploadedFile("card.txt", b"visa")]},
    )
    carol_ticket.refresh_from_db()
    last = carol_ticket.messages.order_by("id").last()
    assert response.url == f"/requests/{carol_ticket.pk}/#m{last.pk}"
    assert last.body == "The Visa one." and last.public and last.author == carol
    assert last.attachments.get().filename == "card.txt"
    assert carol_ticket.status == Status.OPEN
    assert b"Your reply was sent." in client.get(f"/requests/{carol_ticket.pk}/").content


def test_an_empty_reply_or_oversized_file_keeps_the_text(
    client, carol, carol_ticket, media, settings
):
    client.force_login(carol)
    empty = client.post(f"/requests/{carol_ticket.pk}/reply/", {"body": "   "})
    assert empty.status_code == 400 and b"This field is required." in empty.content
    settings.MAX_ATTACHMENT_BYTES = 10
    big = client.post(
        f"/requests/{carol_ticket.pk}/reply/",
        {"body": "Here is the log", "attachments": [SimpleUploadedFile("big.log", b"x" * 50)]},
    )
    assert big.status_code == 400
    assert b"big.log: too large" in big.content and b"Here is the log" in big.content
    assert carol_ticket.messages.count() == 1


def test_mark_as_solved_then_a_reply_opens_it_again(client, carol, carol_ticket):
    client.force_login(carol)
    response = client.post(f"/requests/{carol_ticket.pk}/solve/")
    assert response.url == f"/requests/{carol_ticket.pk}/"
    carol_ticket.refresh_from_db()
    assert carol_ticket.status == Status.SOLVED
    page = client.get(response.url)
    assert b"is marked as solved" in page.content and b"This request is solved." in page.content
    assert b"Mark as solved" not in page.content

    after = client.post(f"/requests/{carol_ticket.pk}/reply/", {"body": "Charged again!"})
    carol_ticket.refresh_from_db()
    assert carol_ticket.status == Status.OPEN
    assert b"The request is open again." in client.get(after.url).content


def test_a_reply_to_a_closed_request_opens_a_follow_up(client, carol, alice, carol_ticket):
    from django.utils import timezone

    update_ticket(carol_ticket, by=alice, changes={"status": Status.SOLVED})
    close_solved_tickets(older_than=timezone.now())
    client.force_login(carol)
    page = client.get(f"/requests/{carol_ticket.pk}/")
    assert b"This request is closed." in page.content and b"Send as a new request" in page.content
    assert b"Mark as solved" not in page.content
    solve = client.post(f"/requests/{carol_ticket.pk}/solve/", follow=True)
    assert b"closed tickets cannot change" in solve.content.lower()

    response = client.post(f"/requests/{carol_ticket.pk}/reply/", {"body": "It happened again"})
    follow_up = Ticket.objects.get(follow_up_of=carol_ticket)
    assert response.url == f"/requests/{follow_up.pk}/"
    shown = client.get(response.url)
    assert f"your reply opened a new request, #{follow_up.pk}".encode() in shown.content
    assert f'A follow-up to <a href="/requests/{carol_ticket.pk}/">'.encode() in shown.content


def test_message_html_is_shown_as_sanitised_and_plain_text_escaped(
    client, carol, alice, carol_ticket
):
    reply(carol_ticket, author=alice, body="", html="<p>Hi <b>there</b><script>x()</script></p>")
    reply(carol_ticket, author=carol, body="<img src=x onerror=alert(1)>")
    client.force_login(carol)
    text = client.get(f"/requests/{carol_ticket.pk}/").content.decode()
    assert "<p>Hi <b>there</b></p>" in text and "x()" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text


def test_the_page_takes_the_same_queries_for_2_and_40_messages(
    client, carol, alice, carol_ticket, media, django_assert_max_num_queries
):
    from supportdesk.tickets.services import Upload

    def file():  # type: ignore[no-untyped-def]
        return [Upload(filename="a.txt", content_type="text/plain", data=b"a", size=1)]

    reply(carol_ticket, author=alice, body="First answer", attachments=file())
    client.force_login(carol)
    with django_assert_max_num_queries(9):  # 8, and where live updates start
        client.get(f"/requests/{carol_ticket.pk}/")
    for i in range(19):
        reply(carol_ticket, author=alice, body=f"Answer {i}", attachments=file())
        reply(carol_ticket, author=alice, body=f"Note {i}", public=False)
    with django_assert_max_num_queries(9):  # 8, and where live updates start
        page = client.get(f"/requests/{carol_ticket.pk}/")
    assert page.content.count(b'<article class="msg') == 21
