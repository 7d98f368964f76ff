"""`supportdesk mail ...`: the e-mail channel's commands (see supportdesk.cli)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from supportdesk.mail.models import Mailbox


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("mail", help="the e-mail channel: supportdesk mail ingest FILE...")
    mail = p.add_subparsers(dest="mail_command", required=True, metavar="COMMAND")
    q = mail.add_parser("ingest", help="ingest .eml and mbox files, a line per message")
    q.add_argument("files", nargs="+", type=Path, metavar="FILE")
    q.add_argument("--mailbox", help="the mailbox address they were sent to")
    q.set_defaults(handler=ingest_files)
    q = mail.add_parser("listen", help="receive mail by SMTP (or LMTP) from a mail server")
    q.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    q.add_argument("--port", type=int, default=2525, help="port (2525)")
    q.add_argument("--lmtp", action="store_true", help="speak LMTP instead of SMTP")
    q.set_defaults(handler=listen)
    q = mail.add_parser("poll", help="fetch new mail from the IMAP mailboxes, a line per message")
    q.add_argument("--mailbox", metavar="ID", help="only this mailbox (its id or address)")
    q.add_argument(
        "--idle",
        action="store_true",
        help="stay connected (IMAP IDLE) and import mail as it arrives, until stopped",
    )
    q.set_defaults(handler=poll)


def listen(args: argparse.Namespace) -> int:
    from supportdesk.cli import _migrate, _setup

    _setup()
    _migrate()
    from supportdesk.mail.listener import serve

    try:
        serve(args.host, args.port, lmtp=args.lmtp)
    except KeyboardInterrupt:
        pass
    return 0


def poll(args: argparse.Namespace) -> int:
    from supportdesk.cli import _migrate, _setup

    _setup()
    _migrate()
    from supportdesk.mail.imap import imap_mailboxes, poll_all

    if not imap_mailboxes(args.mailbox):
        which = f" {args.mailbox}" if args.mailbox else "s"
        print(f"supportdesk: no enabled IMAP mailbox{which}", file=sys.stderr)
        return 2
    if args.idle:
        return _idle(args.mailbox)
    counts = poll_all(_print_line, only=args.mailbox)
    return 1 if -1 in counts.values() else 0


_print_lock = threading.Lock()


def _print_line(mailbox: Mailbox, line: str) -> None:
    with _print_lock:  # lines of several threads, never interleaved
        print(f"{mailbox.address}: {line}", flush=True)


def _idle(only: str | None) -> int:
    """A thread per mailbox; every minute, mailboxes added or enabled since get one too.
    Ctrl-C or SIGTERM stop them all (each leaves IDLE and logs out)."""
    from django.db import close_old_connections

    from supportdesk.mail.imap import IDLE_TICK, idle, imap_mailboxes

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threads: dict[int, threading.Thread] = {}
    try:
        while not stop.is_set():
            for mailbox in imap_mailboxes(only):
                running = threads.get(mailbox.pk)
                if running is None or not running.is_alive():
                    _print_line(mailbox, "connecting (IDLE)")
                    threads[mailbox.pk] = threading.Thread(
                        target=idle,
                        args=(mailbox, stop, _print_line),
                        name=f"idle-{mailbox.address}",
                        daemon=True,
                    )
                    threads[mailbox.pk].start()
            close_old_connections()
            stop.wait(60)
    except KeyboardInterrupt:
        pass
    stop.set()
    for thread in threads.values():
        thread.join(timeout=IDLE_TICK + 10)
    return 0


def ingest_files(args: argparse.Namespace) -> int:
    from supportdesk.cli import _migrate, _setup

    _setup()
    _migrate()
    from supportdesk.mail.ingest import ingest, split_mbox
    from supportdesk.mail.models import Mailbox

    mailbox = None
    if args.mailbox:
        mailbox = Mailbox.objects.filter(address__iexact=args.mailbox).first()
        if mailbox is None:
            print(f"supportdesk: no mailbox {args.mailbox}", file=sys.stderr)
            return 2
    failed = 0
    for path in args.files:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            print(f"{path}: cannot read: {exc.strerror}", file=sys.stderr)
            failed += 1
            continue
        messages = split_mbox(raw)
        for i, message in enumerate(messages, start=1):
            where = f"{path}#{i}" if len(messages) > 1 else str(path)
            print(f"{where}: {ingest(message, mailbox=mailbox).line}", flush=True)
    return 1 if failed else 0
