"""Set-password links for new agents, made with Django's password-reset tokens.

The link opens the password-reset confirmation page of the portal; a token works until
the person sets a password or signs in (both change what it hashes) or
PASSWORD_RESET_TIMEOUT passes. The admin sees the link once, on the next page, to send
it another way when mail is not set up; the session carries it there and gives it up
when shown.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import NoReverseMatch, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from supportdesk.accounts.models import User
from supportdesk.lib.http import AuthedRequest
from supportdesk.notify.services import send_email

SESSION_KEY = "adminui_set_password_link"
# Where "Forgot password" lives, for when the confirmation view is not installed.
FALLBACK_PATH = "/password-reset/"


def set_password_link(user: User) -> str:
    """An absolute link that lets `user` choose a password."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    for name in ("password_reset_confirm", "portal:password_reset_confirm"):
        try:
            path = reverse(name, kwargs={"uidb64": uid, "token": token})
        except NoReverseMatch:
            continue
        return settings.SITE_URL + path
    return settings.SITE_URL + FALLBACK_PATH


def offer_link(request: AuthedRequest, user: User, *, send: bool) -> str:
    """Make a link for `user`, e-mail it when `send`, and keep it for the next page."""
    link = set_password_link(user)
    if send:
        days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
        send_email(
            kind="agent_invite",
            to=[user.email],
            subject="You have been invited to supportdesk",
            body=(
                f"Hello {user.display_name},\n\n"
                f"{request.user.display_name} added you to the support team. Choose a "
                f"password to sign in:\n\n{link}\n\n"
                f"The link works once and for {days} days. Afterwards, use "
                f"'Forgot password' on the sign-in page.\n"
            ),
        )
    request.session[SESSION_KEY] = {"user": user.pk, "link": link, "sent": send}
    return link


def take_link(request: AuthedRequest, user: User) -> dict[str, object] | None:
    """The link kept for `user`, once; None afterwards or for anyone else."""
    kept = request.session.get(SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("user") != user.pk:
        return None
    del request.session[SESSION_KEY]
    return kept
