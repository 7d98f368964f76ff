"""Signals of the accounts services, for apps that accounts must not import (routing in
automation listens to them)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by `update_user` after the transaction that changed someone's availability
# commits, with `user`, `old` and `new` (Availability values). Receivers run outside that
# transaction: a failing one is logged and never undoes the change.
availability_changed = Signal()
