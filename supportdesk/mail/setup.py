"""The writers of the mail settings: mailboxes, their endpoint secret, the editable mail
templates, and queueing a failed mail again (services.py has the stored messages and the
block list). The admin pages and the API call these.

Admins only, checked here and not only in the views, like every service. The rules a form
cannot see (a unique address, the settings a login method needs) are checked here too, and
raised as "field: message" so the page shows them under the field."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.accounts.services import require_admin
from supportdesk.lib.errors import DomainError
from supportdesk.mail.models import Auth, Mailbox, Template, new_secret
from supportdesk.mail.templates import DEFAULT_TEMPLATES, check_template
from supportdesk.notify.models import OutgoingEmail
from supportdesk.notify.services import resend

log = logging.getLogger(__name__)

MAILBOX_FIELDS = frozenset(
    {
        "name",
        "address",
        "group",
        "enabled",
        "imap_host",
        "imap_port",
        "imap_security",
        "imap_username",
        "imap_password",
        "imap_folder",
        "imap_move_to",
        "smtp_host",
        "smtp_port",
        "smtp_security",
        "smtp_username",
        "smtp_password",
        "auth",
        "oauth_token_url",
        "oauth_client_id",
        "oauth_client_secret",
        "oauth_refresh_token",
    }
)
# A change to any of these makes the cached access token someone else's: drop it.
_OAUTH_IDENTITY = (
    "oauth_token_url",
    "oauth_client_id",
    "oauth_client_secret",
    "oauth_refresh_token",
)


@transaction.atomic
def save_mailbox(mailbox: Mailbox | None, *, by: User, fields: Mapping[str, Any]) -> Mailbox:
    """Create a mailbox (`mailbox` None) or change one. `fields` holds only what changes:
    a password or secret left out keeps the stored one."""
    require_admin(by)
    unknown = set(fields) - MAILBOX_FIELDS
    if unknown:
        raise DomainError(f"unknown mailbox fields: {', '.join(sorted(unknown))}")
    target = mailbox if mailbox is not None else Mailbox()
    before = {name: getattr(target, name) for name in _OAUTH_IDENTITY}
    for name, value in fields.items():
        setattr(target, name, value)
    target.address = target.address.strip().lower()
    _check_mailbox(target)
    if any(getattr(target, name) != before[name] for name in _OAUTH_IDENTITY):
        target.oauth_access_token, target.oauth_expires_at = "", None
    target.save()
    verb = "changed" if mailbox is not None else "added"
    log.info("mail: %s %s mailbox %s (id %s)", by.email, verb, target.address, target.pk)
    return target


def _check_mailbox(mailbox: Mailbox) -> None:
    taken = Mailbox.objects.filter(address__iexact=mailbox.address).exclude(pk=mailbox.pk)
    if taken.exists():
        raise DomainError(f"address: another mailbox has the address {mailbox.address}")
    if "+" in mailbox.address.partition("@")[0]:
        # Replies come back to address+ticket-token@; a plus of its own would be cut off.
        raise DomainError("address: use the address without a +tag")
    if mailbox.auth == Auth.XOAUTH2 and (mailbox.imap_host or mailbox.smtp_host):
        for name, label in (
            ("oauth_token_url", "the token URL"),
            ("oauth_client_id", "the client id"),
            ("oauth_refresh_token", "a refresh token"),
        ):
            if not getattr(mailbox, name):
                raise DomainError(f"{name}: XOAUTH2 login needs {label}")
    elif mailbox.imap_host:
        if not mailbox.imap_username:
            raise DomainError("imap_username: IMAP needs a username to log in")
        if not mailbox.imap_password:
            raise DomainError("imap_password: IMAP needs a password to log in")
    if mailbox.auth == Auth.PASSWORD and mailbox.smtp_username and not mailbox.smtp_password:
        raise DomainError("smtp_password: give the password of this SMTP username")


def delete_mailbox(mailbox: Mailbox, *, by: User) -> None:
    """Delete a mailbox. Its messages and tickets stay (they lose the link to it)."""
    require_admin(by)
    log.info("mail: %s deleted mailbox %s (id %s)", by.email, mailbox.address, mailbox.pk)
    mailbox.delete()


def new_mailbox_secret(mailbox: Mailbox, *, by: User) -> Mailbox:
    """A new secret for the HTTP endpoint; the old one stops working at once."""
    require_admin(by)
    mailbox.secret = new_secret()
    mailbox.save(update_fields=["secret"])
    log.info("mail: %s made a new endpoint secret for %s", by.email, mailbox.address)
    return mailbox


def save_template(name: str, *, by: User, subject: str, body: str, enabled: bool) -> Template:
    """Store the admin's text of a mail template, after checking it renders."""
    require_admin(by)
    if name not in DEFAULT_TEMPLATES:
        raise DomainError(f"no mail template named {name!r}")
    problem = check_template(subject, body)
    if problem:
        raise DomainError(problem)
    row, _ = Template.objects.update_or_create(
        name=name,
        defaults={
            "subject": subject,
            "body": body,
            "enabled": enabled,
            "updated_at": timezone.now(),
        },
    )
    log.info("mail: %s changed the %s template", by.email, name)
    return row


def retry_outgoing(mail: OutgoingEmail, *, by: User) -> bool:
    """Queue a failed or bounced mail again; False when it was sent or queued meanwhile."""
    require_admin(by)
    queued = resend(mail.pk)
    if queued:
        log.info("mail: %s queued outgoing mail %s again", by.email, mail.pk)
    return queued
