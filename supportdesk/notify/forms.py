"""The preferences form: three checkboxes per kind of notification."""

from __future__ import annotations

from typing import Any

from django import forms

from supportdesk.notify.kinds import KINDS, Kind
from supportdesk.notify.notifications import Delivery

CHANNELS = ("in_app", "email", "digest")


def field_name(kind: str, channel: str) -> str:
    return f"{kind}__{channel}"


class PreferencesForm(forms.Form):
    """One BooleanField per kind and channel, named `<kind>__<channel>`."""

    def __init__(self, *args: Any, current: dict[str, Delivery], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, delivery in current.items():
            for channel in CHANNELS:
                self.fields[field_name(key, channel)] = forms.BooleanField(
                    required=False, initial=getattr(delivery, channel)
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for key in KINDS:
            if data.get(field_name(key, "digest")) and not data.get(field_name(key, "email")):
                self.add_error(
                    field_name(key, "digest"),
                    "A daily digest is sent by e-mail: tick E-mail too, or untick Daily digest.",
                )
        return data

    def choices(self) -> dict[str, Delivery]:
        data = self.cleaned_data
        return {
            key: Delivery(**{c: bool(data.get(field_name(key, c))) for c in CHANNELS})
            for key in KINDS
        }

    def rows(self) -> list[tuple[Kind, list[forms.BoundField]]]:
        """(kind, its three bound fields) in the registry's order, for the table."""
        return [(kind, [self[field_name(key, c)] for c in CHANNELS]) for key, kind in KINDS.items()]
