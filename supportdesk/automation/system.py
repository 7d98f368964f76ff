"""The author of what rules write (internal notes, a macro's reply): a deactivated agent
named "Automation", so it can never sign in, be assigned or be notified."""

from __future__ import annotations

from supportdesk.accounts.models import Role, User

AUTOMATION_EMAIL = "automation@system.invalid"


def automation_user() -> User:
    user = User.objects.filter(email=AUTOMATION_EMAIL).first()
    if user is None:
        user, _ = User.objects.get_or_create(
            email=AUTOMATION_EMAIL,
            defaults={"name": "Automation", "role": Role.AGENT, "is_active": False},
        )
    return user
