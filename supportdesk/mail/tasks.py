from supportdesk.jobs import periodic


@periodic(minute="*")
def poll_mailboxes() -> dict[str, int]:
    """Import new mail of every mailbox with IMAP settings, every minute."""
    from supportdesk.mail.imap import poll_all

    return poll_all()
