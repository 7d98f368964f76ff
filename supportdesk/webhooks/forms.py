"""The endpoint form; the service checks the values (scheme, unique name)."""

from __future__ import annotations

from django import forms


class EndpointForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="Shown in rules that send to it, e.g. “PagerDuty”."
    )
    # A CharField, not a URLField: the service gives the one message about schemes.
    url = forms.CharField(
        label="URL",
        max_length=500,
        help_text="An http:// or https:// address that accepts POST. Redirects are not followed.",
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/hooks/supportdesk"}),
    )
    enabled = forms.BooleanField(
        required=False, initial=True, help_text="A disabled endpoint receives nothing."
    )
