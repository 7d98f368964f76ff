"""Parsing raw mail: real messages from ../shared/data/email and hostile ones."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from supportdesk.mail.parse import MAX_PARTS, Unparseable, display_address, parse

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "email"
CPYTHON = sorted((DATA / "cpython_test_email" / "data").glob("msg_*.txt"))
EML = sorted(DATA.rglob("*.eml"))


@pytest.mark.parametrize("path", CPYTHON + EML, ids=lambda p: p.name)
def test_every_real_message_parses(path: Path) -> None:
    parsed = parse(path.read_bytes())
    assert isinstance(parsed.body, str)
    for attachment in parsed.attachments:
        assert attachment.filename and "/" not in attachment.filename


def test_the_corpus_is_there() -> None:
    assert len(CPYTHON) >= 40


def _message(**headers: str) -> EmailMessage:
    message = EmailMessage()
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return message


def test_headers_addresses_and_threading() -> None:
    m = _message(
        From="Ann Lee <Ann@Example.COM>",
        To="support@desk.test, Bob <bob@x.test>",
        Cc="carol@y.test",
        Subject="Re: [#42] Printer",
        Message_ID="<abc@mail.x>",
        In_Reply_To="<root@desk.test>",
        References="<root@desk.test> <mid@desk.test>",
        Date="Mon, 02 Mar 2026 09:00:00 +0100",
    )
    m.set_content("Thanks!\n")
    parsed = parse(m.as_bytes())
    assert parsed.sender == ("Ann Lee", "ann@example.com")
    assert [a for _, a in parsed.to] == ["support@desk.test", "bob@x.test"]
    assert parsed.cc == [("", "carol@y.test")]
    assert parsed.message_id == "<abc@mail.x>"
    assert parsed.in_reply_to == ["<root@desk.test>"]
    assert parsed.references == ["<root@desk.test>", "<mid@desk.test>"]
    assert parsed.subject == "Re: [#42] Printer" and parsed.body == "Thanks!"
    assert parsed.date is not None and parsed.date.utcoffset() is not None
    assert display_address(parsed.sender) == "Ann Lee <ann@example.com>"


def test_html_is_sanitised_and_inline_images_kept() -> None:
    m = _message(From="a@x.test", Subject="Look")
    m.set_content("see picture")
    m.add_alternative(
        '<p onclick="x()">Hi<script>alert(1)</script> <img src="cid:pic1"></p>', subtype="html"
    )
    m.get_payload()[1].add_related(b"\x89PNG...", "image", "png", cid="<pic1>")
    parsed = parse(m.as_bytes())
    assert "script" not in parsed.html and "onclick" not in parsed.html
    assert parsed.text == "see picture"
    [image] = parsed.attachments
    assert (image.content_id, image.inline, image.content_type) == ("pic1", True, "image/png")


def test_no_from_and_broken_date_are_empty_not_errors() -> None:
    parsed = parse(b"Subject: hello\r\nDate: not a date\r\n\r\nbody\r\n")
    assert parsed.sender == ("", "") and parsed.date is None and parsed.body == "body"


def test_header_injection_stays_on_one_line() -> None:
    raw = b"From: a@x.test\r\nSubject: =?utf-8?q?hi=0D=0ABcc=3A_victim=40x.test?=\r\n\r\nx\r\n"
    parsed = parse(raw)
    assert "\n" not in parsed.subject and "\r" not in parsed.subject
    assert "Bcc: victim@x.test" in parsed.subject


def test_unknown_charset_decodes_with_a_fallback() -> None:
    raw = b"From: a@x.test\r\nContent-Type: text/plain; charset=x-made-up\r\n\r\ncaf\xc3\xa9\r\n"
    assert parse(raw).body == "café"


def test_too_many_parts_is_quarantined_with_a_reason() -> None:
    boundary = b"b"
    parts = b"".join(b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(MAX_PARTS + 5))
    raw = b"From: a@x.test\r\nContent-Type: multipart/mixed; boundary=" + boundary
    raw += b"\r\n\r\n" + parts + b"--b--\r\n"
    with pytest.raises(Unparseable, match="MIME parts"):
        parse(raw)


def test_empty_input_is_quarantined() -> None:
    with pytest.raises(Unparseable, match="empty"):
        parse(b"  \r\n")


def test_attachment_names_cannot_climb_folders() -> None:
    m = _message(From="a@x.test")
    m.set_content("x")
    m.add_attachment(b"data", maintype="application", subtype="pdf", filename="../../etc/passwd")
    [attachment] = parse(m.as_bytes()).attachments
    assert attachment.filename == ".._.._etc_passwd" and attachment.content == b"data"
