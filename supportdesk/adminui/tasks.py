"""Background jobs of the admin pages: tag changes across every ticket that has the tag.

Each job runs a tagging service that changes one ticket per transaction and skips what
it already changed, so a retry after a failure picks up where the last run stopped.
"""

from __future__ import annotations

import logging

from supportdesk.accounts.models import User
from supportdesk.jobs import job
from supportdesk.lib.errors import DomainError
from supportdesk.tickets import tagging

log = logging.getLogger(__name__)


def _admin(user_id: int) -> User | None:
    """The admin who asked; None (the system) if they are gone by the time it runs."""
    return User.objects.filter(pk=user_id).first()


@job()
def rename_tag_everywhere(old: str, new: str, user_id: int) -> int:
    try:
        changed = tagging.rename_tag(old, new, by=_admin(user_id))
    except DomainError as exc:
        # No retry changes the answer (the admin lost the role, say): give up now.
        log.warning("not renaming tag %r to %r: %s", old, new, exc)
        return 0
    log.info("renamed tag %r to %r on %d tickets", old, new, changed)
    return changed


@job()
def remove_tag_everywhere(tag: str, user_id: int) -> int:
    try:
        changed = tagging.remove_tag(tag, by=_admin(user_id))
    except DomainError as exc:
        log.warning("not removing tag %r: %s", tag, exc)
        return 0
    log.info("removed tag %r from %d tickets", tag, changed)
    return changed
