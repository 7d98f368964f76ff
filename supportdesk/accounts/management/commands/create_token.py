"""`supportdesk manage create_token EMAIL [--name N]`: print a new personal API token.

The token is shown once; only its SHA-256 is stored, so a lost token is replaced, not
recovered.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from supportdesk.accounts.services import create_token, find_user_by_email


class Command(BaseCommand):
    help = "Create a personal API token for the person with this e-mail address and print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="any of the person's e-mail addresses")
        parser.add_argument("--name", default="", help="what the token is for, e.g. 'CI'")

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_user_by_email(options["email"])
        if user is None:
            raise CommandError(f"no person with the address {options['email']!r}")
        if not user.is_active:
            raise CommandError(f"{user.email} is deactivated; a token would not work")
        name = options["name"].strip()
        if len(name) > 100:
            raise CommandError("--name: at most 100 characters")
        token = create_token(user, name=name)
        self.stdout.write(token)
        self.stderr.write(
            f"Token for {user.email} ({user.role}). It is shown only this once; send it as "
            f"'Authorization: Bearer <token>'."
        )
