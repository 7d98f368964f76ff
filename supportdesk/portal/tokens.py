"""One-time login links: a password-reset style token with its own salt and a short life.

The token's hash covers the user's last_login, so logging in with it (which stamps
last_login) spends it, and any other login spends it too.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.http import base36_to_int

LOGIN_LINK_MINUTES = 15


class LoginLinkTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "supportdesk.portal.tokens.LoginLinkTokenGenerator"
    timeout_seconds = LOGIN_LINK_MINUTES * 60

    def check_token(self, user: Any, token: str | None) -> bool:
        # The parent checks the hash and PASSWORD_RESET_TIMEOUT (days); the age limit of
        # a login link is ours.
        if token is None or not super().check_token(user, token):
            return False
        issued = base36_to_int(token.split("-")[0])
        return self._num_seconds(self._now()) - issued <= self.timeout_seconds


login_link_tokens = LoginLinkTokenGenerator()
