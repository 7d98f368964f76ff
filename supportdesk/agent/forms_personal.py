"""Forms of the agent's own settings: profile and API tokens.

They only check the shape of the input; the services (accounts.services.update_user,
create_token) decide what is allowed, and their DomainErrors land on these forms.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from django import forms

from supportdesk.accounts.models import Availability, User
from supportdesk.lib.errors import DomainError

# A short list people recognise; a code set elsewhere (the API, an import) is kept as is.
LANGUAGES = [
    ("en", "English"),
    ("de", "German (Deutsch)"),
    ("fr", "French (Français)"),
    ("es", "Spanish (Español)"),
    ("nl", "Dutch (Nederlands)"),
    ("pt", "Portuguese (Português)"),
    ("it", "Italian (Italiano)"),
    ("pl", "Polish (Polski)"),
    ("sv", "Swedish (Svenska)"),
    ("da", "Danish (Dansk)"),
    ("ja", "Japanese (日本語)"),
]


@cache
def time_zones() -> list[str]:
    return sorted(available_timezones())


def _with_current(choices: list[tuple[str, str]], current: str) -> list[tuple[str, str]]:
    """The choices, plus the user's current value when the list lacks it, so that saving
    the profile for another reason never silently drops it."""
    if current and current not in {value for value, _ in choices}:
        return [*choices, (current, current)]
    return choices


class ProfileForm(forms.Form):
    name = forms.CharField(max_length=200, required=False, strip=True)
    signature = forms.CharField(
        required=False,
        strip=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Added below the public replies you write in the workspace; "
        "internal notes go without it.",
    )
    time_zone = forms.ChoiceField(
        required=False,
        error_messages={
            "invalid_choice": "%(value)s is not a time zone; choose one from the list, "
            "e.g. Europe/Berlin."
        },
    )
    language = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": "Choose a language from the list."},
    )
    availability = forms.ChoiceField(
        choices=Availability.choices,
        widget=forms.RadioSelect,
        initial=Availability.OFFLINE,
        error_messages={
            "required": "Choose online, away or offline.",
            "invalid_choice": "Choose online, away or offline.",
        },
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        zones = [(tz, tz.replace("_", " ")) for tz in time_zones()]
        self.fields["time_zone"].choices = [  # type: ignore[attr-defined]
            ("", "Browser or organization default"),
            *_with_current(zones, user.time_zone),
        ]
        self.fields["language"].choices = [  # type: ignore[attr-defined]
            ("", "Organization default"),
            *_with_current(LANGUAGES, user.language),
        ]

    def clean_signature(self) -> str:
        # Browsers send CRLF; store plain newlines so the composer appends it cleanly.
        return str(self.cleaned_data["signature"]).replace("\r\n", "\n").rstrip()

    def add_domain_error(self, exc: DomainError) -> None:
        """Put a service's error next to the field it names ("time_zone: ...")."""
        message = str(exc)
        field, _, rest = message.partition(": ")
        if field in self.fields and rest:
            self.add_error(field, rest)
        else:
            self.add_error(None, message)


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        required=False,
        help_text="What the token is for, e.g. 'reporting script', so you know which to "
        "revoke later.",
    )
