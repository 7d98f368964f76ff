"""Routing's listeners to the accounts signals (accounts cannot import automation).
Imported by `AutomationConfig.ready()`."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from supportdesk.accounts.models import Availability, User
from supportdesk.accounts.signals import availability_changed
from supportdesk.automation.routing import agent_went_offline


@receiver(availability_changed, dispatch_uid="automation.routing.went_offline")
def _return_untouched_tickets(
    sender: Any, *, user: User, old: str, new: str, **kwargs: Any
) -> None:
    if new == Availability.OFFLINE and old != Availability.OFFLINE:
        agent_went_offline(user)
