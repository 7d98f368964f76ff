from supportdesk.jobs import periodic
from supportdesk.live.services import prune_signals


@periodic(minute="*/10")
def prune_presence() -> int:
    return prune_signals()
