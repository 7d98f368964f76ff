"""Forms of the admin pages. They check the shape of the input; the rules (unique names,
the last admin, valid domains...) live in the services, whose errors the views put back
on these forms."""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.db.models import QuerySet

from supportdesk.accounts.models import STAFF_ROLES, Group, Organization, Role, User
from supportdesk.accounts.services import find_user_by_email
from supportdesk.tickets.models import CustomField, FieldType

ROLE_NAMES: dict[str, str] = {
    Role.ADMIN: "admin",
    Role.AGENT: "agent",
    Role.LIGHT_AGENT: "light agent",
    Role.CUSTOMER: "customer",
}
ROLE_LABELS: dict[str, str] = {
    Role.ADMIN: "Admin: everything, including these pages",
    Role.AGENT: "Agent: works tickets",
    Role.LIGHT_AGENT: "Light agent: reads tickets, adds internal notes",
    Role.CUSTOMER: "Customer: no longer on the team",
}
STAFF_CHOICES = [(role.value, ROLE_LABELS[role]) for role in STAFF_ROLES]
_SPLIT = re.compile(r"[\s,;]+")


@cache
def _zone_choices() -> list[tuple[str, str]]:
    return [("", "(not set)")] + [(z, z) for z in sorted(available_timezones())]


def staff() -> QuerySet[User]:
    return User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("name", "email")


class PersonChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} <{obj.email}>"


class PeopleChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} <{obj.email}>"


class FieldsChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        off = "" if obj.enabled else ", not in use"
        return f"{obj.label} ({obj.key}, {obj.type}{off})"


def split_list(text: str) -> list[str]:
    """Values typed one per line or separated by commas."""
    return [v for v in _SPLIT.split(text or "") if v]


# People ---------------------------------------------------------------------------------


class AgentForm(forms.Form):
    name = forms.CharField(max_length=200)
    email = forms.EmailField(label="E-mail", max_length=254)
    role = forms.ChoiceField(choices=STAFF_CHOICES, widget=forms.RadioSelect, initial=Role.AGENT)
    groups = forms.ModelMultipleChoiceField(
        queryset=Group.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class NewAgentForm(AgentForm):
    invite = forms.BooleanField(
        label="E-mail them a link to set a password",
        required=False,
        initial=True,
    )


class EditAgentForm(AgentForm):
    role = forms.ChoiceField(
        choices=[*STAFF_CHOICES, (Role.CUSTOMER.value, ROLE_LABELS[Role.CUSTOMER])],
        widget=forms.RadioSelect,
        help_text="A customer leaves every group and keeps their tickets as a requester.",
    )


class GroupForm(forms.Form):
    name = forms.CharField(max_length=100)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    lead = PersonChoice(queryset=staff(), required=False, empty_label="(no lead)")
    members = PeopleChoice(queryset=staff(), widget=forms.CheckboxSelectMultiple, required=False)


class OrganizationForm(forms.Form):
    name = forms.CharField(max_length=200)
    domains = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One per line or separated by commas, e.g. acme.com. People who write "
        "in from these domains join the organization.",
    )
    shared_tickets = forms.BooleanField(label="Members see each other's tickets", required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def clean_domains(self) -> list[str]:
        domains = split_list(self.cleaned_data["domains"])
        if len(domains) > 100:
            raise forms.ValidationError("At most 100 domains.")
        return domains


PROFILE_KEYS = ("name", "phone", "language", "time_zone", "segment", "notes")


class CustomerForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(
        label="Primary e-mail",
        max_length=254,
        help_text="A new address becomes the primary one; the old one stays on the list.",
    )
    organization = forms.CharField(
        max_length=200,
        required=False,
        help_text="The organization's exact name; empty for none.",
    )
    phone = forms.CharField(max_length=50, required=False)
    language = forms.CharField(max_length=10, required=False, help_text="e.g. en, de-CH")
    time_zone = forms.ChoiceField(choices=_zone_choices, required=False)
    segment = forms.CharField(max_length=50, required=False, help_text="e.g. vip, enterprise")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def clean_organization(self) -> Organization | None:
        name = " ".join(self.cleaned_data["organization"].split())
        if not name:
            return None
        org = Organization.objects.filter(name__iexact=name).first()
        if org is None:
            raise forms.ValidationError(
                f"No organization is named {name!r}. Check the spelling, or add it first."
            )
        return org


class AddressForm(forms.Form):
    email = forms.EmailField(label="Another e-mail address", max_length=254)


class MergeForm(forms.Form):
    into = forms.EmailField(
        label="Merge into the customer with the address",
        max_length=254,
        help_text="Any of their addresses. This customer's tickets and addresses move there.",
    )

    def clean_into(self) -> User:
        email = self.cleaned_data["into"]
        target = find_user_by_email(email)
        if target is None:
            raise forms.ValidationError(f"No one has the address {email}.")
        return target


# Ticket setup -------------------------------------------------------------------------


class CustomFieldForm(forms.Form):
    label = forms.CharField(max_length=100, help_text="What agents and customers see.")
    key = forms.CharField(
        max_length=50,
        help_text="For the API and rules: lower-case letters, digits and _, e.g. "
        "order_number. It cannot change later.",
    )
    type = forms.ChoiceField(choices=FieldType.choices, help_text="It cannot change later.")
    choices = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="Dropdowns only: one choice per line.",
    )
    required = forms.BooleanField(label="Required on forms that include it", required=False)
    customer_visible = forms.BooleanField(label="Customers see it", required=False, initial=True)
    position = forms.IntegerField(min_value=0, max_value=2**31 - 1, initial=0)
    enabled = forms.BooleanField(label="In use", required=False, initial=True)

    def __init__(self, *args: Any, existing: CustomField | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if existing is not None:
            # Shown, but never read back: the service refuses a changed key or type anyway.
            for name in ("key", "type"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "Fixed once the field exists."

    def clean_choices(self) -> list[str]:
        return [line for line in self.cleaned_data["choices"].splitlines() if line.strip()]


class TicketFormForm(forms.Form):
    name = forms.CharField(max_length=100)
    custom_fields = FieldsChoice(
        label="Fields",
        queryset=CustomField.objects.order_by("position", "id"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Requesters see them in the fields' order (their position).",
    )
    position = forms.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        initial=0,
        help_text="Forms are offered in this order; the first one in use is the default.",
    )
    enabled = forms.BooleanField(label="In use", required=False, initial=True)


# Tags and tokens ----------------------------------------------------------------------


class RenameTagForm(forms.Form):
    tag = forms.CharField(max_length=80, widget=forms.HiddenInput)
    new_name = forms.CharField(label="New name", max_length=80)


class RemoveTagForm(forms.Form):
    tag = forms.CharField(max_length=80, widget=forms.HiddenInput)


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, required=False, help_text="What it is for, e.g. CRM sync."
    )
    owner = PersonChoice(
        queryset=staff(),
        empty_label=None,
        help_text="The token acts as this person, with their role.",
    )
