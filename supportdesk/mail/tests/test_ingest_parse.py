"""What parse.py gives ingest beyond the basics: the unsanitised HTML for quote stripping,
cid: placeholders, Delivered-To addresses, attached messages kept whole, delivery status
fields, and the sender and subject of a message too broken to parse."""

from __future__ import annotations

from email.message import EmailMessage

from supportdesk.mail.parse import headline, link_cids, mark_cids, parse


def test_raw_html_keeps_client_markers_that_the_sanitised_html_loses() -> None:
    m = EmailMessage()
    m["From"] = "a@x.test"
    m.set_content(
        '<p>Yes</p><div class="gmail_quote"><blockquote>old</blockquote></div>', subtype="html"
    )
    parsed = parse(m.as_bytes())
    assert 'class="gmail_quote"' in parsed.raw_html
    assert "gmail_quote" not in parsed.html and "<blockquote>old</blockquote>" in parsed.html


def test_cid_references_become_placeholders_then_urls() -> None:
    raw = '<img src="cid:Pic%401"> <img SRC=cid:two> <a href="cid:doc">d</a> <img src="x.png">'
    marked = mark_cids(raw)
    assert marked == (
        '<img src="/__cid__/Pic%401"> <img SRC="/__cid__/two"> '
        '<a href="/__cid__/doc">d</a> <img src="x.png">'
    )
    linked = link_cids(marked, {"pic@1": "/files/t1/a.png", "doc": "/files/t2/d.pdf"})
    assert linked == (
        '<img src="/files/t1/a.png"> <img SRC=""> <a href="/files/t2/d.pdf">d</a> <img src="x.png">'
    )


def test_delivered_to_and_x_original_to_are_read_from_every_line() -> None:
    raw = (
        b"Delivered-To: support+12-abcdefgh@desk.test\r\nDelivered-To: other@desk.test\r\n"
        b"X-Original-To: Support <help@desk.test>\r\nFrom: a@x.test\r\n\r\nhi\r\n"
    )
    assert parse(raw).delivered_to == [
        "support+12-abcdefgh@desk.test",
        "other@desk.test",
        "help@desk.test",
    ]


def test_an_attached_message_is_an_eml_attachment_not_part_of_the_text() -> None:
    inner = EmailMessage()
    inner["From"] = "boss@x.test"
    inner["Message-ID"] = "<inner@x.test>"
    inner.set_content("the forwarded words")
    m = EmailMessage()
    m["From"] = "a@x.test"
    m.set_content("see the attached mail")
    m.add_attachment(inner)
    parsed = parse(m.as_bytes())
    assert parsed.text == "see the attached mail"
    [attached] = parsed.attachments
    assert (attached.filename, attached.content_type) == ("attached-message.eml", "message/rfc822")
    assert b"Message-ID: <inner@x.test>" in attached.content
    assert b"the forwarded words" in attached.content


def test_delivery_status_fields_are_collected() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.test\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n"
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.test\r\n\r\nFinal-Recipient: rfc822; a@b.test\r\nStatus: 5.1.1\r\n"
        b"--b--\r\n"
    )
    parsed = parse(raw)
    assert (parsed.content_type, parsed.report_type) == ("multipart/report", "delivery-status")
    assert parsed.delivery_status.splitlines() == [
        "Reporting-MTA: dns; mx.test",
        "Final-Recipient: rfc822; a@b.test",
        "Status: 5.1.1",
    ]
    assert parsed.text == "failed" and not parsed.attachments


def test_headline_reads_sender_and_subject_of_any_bytes() -> None:
    raw = b"From: Ann <Ann@X.test>\r\nSubject: =?utf-8?q?Caf=C3=A9?=\r\n\r\n" + b"--b\r\n" * 10
    assert headline(raw) == ("ann@x.test", "Café")
    assert headline(b"\x00\xff garbage") == ("", "")
