"""Hands ticket events to the trigger engine, inside the change's transaction."""

from supportdesk.automation.engine import on_events
from supportdesk.tickets.events import subscribe

subscribe(on_events, in_transaction=True)
