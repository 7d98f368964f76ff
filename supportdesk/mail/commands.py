"""`supportdesk mail ...`: the e-mail channel's commands (see supportdesk.cli)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


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
