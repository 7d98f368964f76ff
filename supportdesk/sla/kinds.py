"""The notification kinds of SLA warnings, escalations, stalled tickets and emergencies;
imported by `SlaConfig.ready`, so the preferences page lists them."""

from __future__ import annotations

from supportdesk.notify.kinds import Kind, register

SLA_WARNING = register(
    Kind("sla_warning", "SLA warning", "A ticket's SLA target is about to be breached.")
)
SLA_BREACHED = register(Kind("sla_breached", "SLA breached", "A ticket's SLA target was breached."))
STALLED = register(
    Kind("stalled", "Stalled ticket", "An open ticket has had no agent update for a while.")
)
EMERGENCY = register(
    Kind("emergency", "Emergency", "A ticket meets an emergency rule; acknowledge it.")
)
