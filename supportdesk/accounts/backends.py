"""Log in with any of a person's e-mail addresses."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from supportdesk.accounts.models import User, UserEmail


class EmailBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        email = (username or kwargs.get("email") or "").strip().lower()
        if not email or password is None:
            return None
        row = UserEmail.objects.select_related("user").filter(email=email).first()
        if row is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        user = row.user
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
