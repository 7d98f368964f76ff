"""The acknowledgement template on the admin pages (placeholders, preview, checks, the
built-in text) and failed outgoing mail sent again."""

from __future__ import annotations

from django.core import mail as django_mail
from django.core.cache import cache
from django.urls import reverse

from supportdesk.adminui.tests.conftest import flash
from supportdesk.mail.models import Template
from supportdesk.mail.templates import DEFAULT_TEMPLATES, render_template
from supportdesk.notify.models import MailStatus, OutgoingEmail

URL = reverse("adminui:mail_template", kwargs={"name": "acknowledgement"})


def test_the_page_lists_placeholders_and_previews_the_built_in_text(as_admin):
    page = as_admin.get(URL).content.decode()
    for name in ("ticket.number", "ticket.url", "requester.first_name", "first_reply_due"):
        assert f"{{{{ {name} }}}}" in page
    assert "Thank you for writing to us" in page  # the form holds the built-in text
    assert "[#1234] My invoice is wrong" in page  # and the preview renders it
    assert "by 15:00 today (CEST)" in page


def test_preview_renders_the_unsaved_text_and_save_stores_it(as_admin):
    text = {"subject": "We got it: #{{ ticket.number }}", "body": "Hi {{ requester.first_name }}!"}
    preview = as_admin.post(URL, {**text, "enabled": "on", "preview": "1"})
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "We got it: #1234" in page and "Hi Ann!" in page
    assert not Template.objects.exists()
    saved = as_admin.post(URL, {**text, "save": "1"}, follow=True)
    assert "Saved the acknowledgement of a new ticket." in saved.content.decode()
    row = Template.objects.get(name="acknowledgement")
    assert (row.subject, row.body, row.enabled) == (text["subject"], text["body"], False)
    assert render_template("acknowledgement") == ("We got it: #1234", "Hi Ann!")


def test_an_unknown_placeholder_or_bad_syntax_is_refused_on_its_field(as_admin):
    unknown = as_admin.post(
        URL, {"subject": "Hi {{ ticket.numbr }}", "body": "x", "enabled": "on", "save": "1"}
    )
    assert unknown.status_code == 400
    assert "numbr" in unknown.content.decode()
    broken = as_admin.post(
        URL, {"subject": "Hi", "body": "line\n{% if x %}open", "enabled": "on", "save": "1"}
    )
    assert broken.status_code == 400
    assert "Body, line 2" in broken.content.decode()
    assert not Template.objects.exists()


def test_built_in_text_refills_the_form_without_saving(as_admin, admin):
    Template.objects.create(name="acknowledgement", subject="Old", body="Old body")
    page = as_admin.post(URL, {"subject": "x", "body": "y", "builtin": "1"}).content.decode()
    subject, _ = DEFAULT_TEMPLATES["acknowledgement"]
    assert f'value="{subject}"' in page.replace("&quot;", '"').replace("&#x27;", "'")
    assert Template.objects.get().subject == "Old"


def test_an_unknown_template_is_404(as_admin):
    missing = reverse("adminui:mail_template", kwargs={"name": "goodbye"})
    assert as_admin.get(missing).status_code == 404


def test_failed_mail_is_listed_with_its_ticket_and_sent_again(as_admin, carol_ticket, on_commit):
    cache.clear()
    mail = OutgoingEmail.objects.create(
        kind="reply",
        to=["carol@acme.test"],
        subject="Re: Invoice",
        body="Refunded.",
        ticket=carol_ticket,
        status=MailStatus.FAILED,
        attempts=5,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    OutgoingEmail.objects.create(kind="reply", to=["x@y.test"], subject="Sent fine", body="b")
    page = as_admin.get(reverse("adminui:mail_failed")).content.decode()
    assert "Re: Invoice" in page and "Sent fine" not in page
    assert f'href="/agent/tickets/{carol_ticket.number}/"' in page
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in page
    with on_commit():
        retried = as_admin.post(reverse("adminui:mail_failed_retry", kwargs={"pk": mail.pk}))
    assert flash(retried)[-1] == "Queued again: \u201cRe: Invoice\u201d to carol@acme.test."
    mail.refresh_from_db()
    # The job ran on commit: delivered through the test backend this time.
    assert (mail.status, mail.attempts) == (MailStatus.SENT, 6)
    assert [m.subject for m in django_mail.outbox] == ["Re: Invoice"]
    again = as_admin.post(reverse("adminui:mail_failed_retry", kwargs={"pk": mail.pk}))
    assert flash(again)[-1] == "That mail was sent or queued again meanwhile."
    assert "No failed mail." in as_admin.get(reverse("adminui:mail_failed")).content.decode()
