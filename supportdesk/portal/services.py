"""What the portal writes and sends on its own: sign-ups waiting for confirmation, and
the mails that let people in (login links, sign-up confirmations, password resets).

People are created and changed only through `accounts.services`; mail goes out through
`notify.services.send_email`, which records it and delivers it from a job after commit,
so answering for an address that has an account takes as long as for one that has not.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from supportdesk.accounts.models import User
from supportdesk.accounts.services import (
    create_user,
    find_user_by_email,
    normalize_email,
    set_password_hash,
    update_user,
)
from supportdesk.lib.errors import DomainError
from supportdesk.notify.services import send_email
from supportdesk.portal.models import PendingSignup
from supportdesk.portal.tokens import LOGIN_LINK_MINUTES, login_link_tokens

SIGNUP_LINK_HOURS = 24
# At most one mail of a kind to one address in this many seconds: the per-client rate
# limit alone would let many clients flood one mailbox.
MAIL_GAP_SECONDS = 60
LINK_USED = "This link has expired or was already used."


def site_url() -> str:
    """The base of links in mail: SITE_URL, never the request's Host header, which a
    client chooses (a reset link pointing at an attacker's host would leak the token)."""
    return str(settings.SITE_URL).rstrip("/")


def send_auth_mail(*, kind: str, to: str, subject: str, template: str, **context: Any) -> bool:
    """Queue one mail rendered from `portal/mail/<template>.txt`, unless this address got
    a mail of this kind a moment ago. True when queued."""
    key = f"portal-mail:{kind}:{hashlib.sha256(to.encode()).hexdigest()}"
    if not cache.add(key, 1, timeout=MAIL_GAP_SECONDS):
        return False
    body = render_to_string(f"portal/mail/{template}.txt", {"site_url": site_url(), **context})
    return send_email(kind=kind, to=[to], subject=subject, body=body) is not None


# Login links ---------------------------------------------------------------------------


def login_link_path(user: User, *, next_url: str = "") -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("portal:login_link_confirm", args=[uid, login_link_tokens.make_token(user)])
    return f"{path}?{urlencode({'next': next_url})}" if next_url else path


def send_login_link(email: str, *, next_url: str = "") -> None:
    """E-mail a one-time login link to `email` if it belongs to an active person; the
    caller answers the same either way."""
    try:
        user = find_user_by_email(normalize_email(email))
    except DomainError:
        return
    if user is None or not user.is_active:
        return
    send_auth_mail(
        kind="login_link",
        to=normalize_email(email),
        subject="Your login link",
        template="login_link",
        user=user,
        link=site_url() + login_link_path(user, next_url=next_url),
        minutes=LOGIN_LINK_MINUTES,
    )


def user_for_login_link(uidb64: str, token: str) -> User | None:
    """The person a login link is for, while the link is unused and fresh."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError):
        return None
    if not 0 < pk < 2**63:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not login_link_tokens.check_token(user, token):
        return None
    return user


# Sign-up -------------------------------------------------------------------------------


def start_signup(*, email: str, name: str, password: str) -> None:
    """Begin a sign-up: mail the address a confirmation link, or, when the address
    already has an account with a password, a note saying so. The caller shows the same
    answer in every case, so sign-up tells nobody who has an account."""
    email = normalize_email(email)
    # Hashing is slow on purpose; doing it on every path keeps the answer's timing from
    # telling which addresses have accounts.
    encoded = make_password(password)
    user = find_user_by_email(email)
    if user is not None and not user.is_active:
        return
    if user is not None and user.has_usable_password():
        send_auth_mail(
            kind="signup_existing",
            to=email,
            subject="You already have an account",
            template="signup_existing",
            user=user,
            login_url=site_url() + reverse("login"),
            reset_url=site_url() + reverse("portal:password_reset"),
        )
        return
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        PendingSignup.objects.filter(created_at__lt=_signup_cutoff()).delete()
        PendingSignup.objects.create(
            email=email,
            name=name.strip()[:200],
            password=encoded,
            digest=PendingSignup.digest_of(token),
        )
        send_auth_mail(
            kind="signup_confirm",
            to=email,
            subject="Confirm your e-mail address",
            template="signup_confirm",
            name=name.strip() or email.split("@")[0],
            link=site_url() + reverse("portal:signup_confirm", args=[token]),
            hours=SIGNUP_LINK_HOURS,
        )


def _signup_cutoff() -> datetime:
    return timezone.now() - timedelta(hours=SIGNUP_LINK_HOURS)


def pending_signup(token: str) -> PendingSignup | None:
    return PendingSignup.objects.filter(
        digest=PendingSignup.digest_of(token), created_at__gte=_signup_cutoff()
    ).first()


@transaction.atomic
def finish_signup(token: str) -> User:
    """Turn a confirmed sign-up into an account (or give a password to the account that
    mail already created for this address) and return the person to log in."""
    row = (
        PendingSignup.objects.select_for_update()
        .filter(digest=PendingSignup.digest_of(token), created_at__gte=_signup_cutoff())
        .first()
    )
    if row is None:
        raise DomainError(LINK_USED)
    user = find_user_by_email(row.email)
    if user is not None and (not user.is_active or user.has_usable_password()):
        raise DomainError("This address already has an account. Log in, or reset your password.")
    # One confirmation settles every sign-up for the address.
    PendingSignup.objects.filter(email=row.email).delete()
    if user is None:
        user = create_user(email=row.email, by=None, name=row.name)
    elif row.name and not user.name:
        update_user(user, by=user, name=row.name)
    set_password_hash(user, encoded=row.password)
    return user
