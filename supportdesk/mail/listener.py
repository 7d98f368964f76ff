"""`supportdesk mail listen`: an SMTP (or LMTP) server that a mail server forwards
support mail to. Each message is ingested once per mailbox it is addressed to; an address
that is no mailbox of ours is refused at RCPT time, so the sending server keeps the
message and reports it, instead of our dropping it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connection

from supportdesk.mail.ingest import ingest
from supportdesk.mail.models import Mailbox


def mailbox_for(address: str) -> Mailbox | None:
    """The enabled mailbox of an address; "support+anything@x" is "support@x"."""
    local, _, domain = address.lower().partition("@")
    local = local.split("+", 1)[0]
    return Mailbox.objects.filter(address__iexact=f"{local}@{domain}", enabled=True).first()


# Both run in worker threads of the event loop: each closes its database connection when
# done, so no thread keeps one open between messages.


def _lookup(address: str) -> Mailbox | None:
    try:
        return mailbox_for(address)
    finally:
        connection.close()


def _deliver(content: bytes, addresses: list[str]) -> list[str]:
    try:
        return [
            ingest(content, mailbox=mailbox_for(a), recipients=addresses).line for a in addresses
        ]
    finally:
        connection.close()


class Handler:
    """aiosmtpd's handler: check recipients, ingest on DATA."""

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's name)
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        found = await sync_to_async(_lookup, thread_sensitive=False)(address)
        if found is None:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 (aiosmtpd's name)
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8", errors="surrogateescape")
        try:
            await sync_to_async(_deliver, thread_sensitive=False)(content, envelope.rcpt_tos)
        except Exception:  # noqa: BLE001  (the sender retries a temporary failure)
            return "451 4.3.0 could not store the message; try again later"
        return "250 Message accepted"


def serve(host: str, port: int, *, lmtp: bool = False) -> None:
    """Run until interrupted."""
    from aiosmtpd.lmtp import LMTP
    from aiosmtpd.smtp import SMTP

    kind = LMTP if lmtp else SMTP

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: kind(Handler(), data_size_limit=None, enable_SMTPUTF8=True), host, port
        )
        name = "LMTP" if lmtp else "SMTP"
        print(f"supportdesk mail listener ({name}) on {host}:{port}", flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(main())
