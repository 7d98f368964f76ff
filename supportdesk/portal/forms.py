"""The portal's forms: a new request with the custom fields of its ticket form, a reply,
sign-up, and the e-mail address forms of login links and password resets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.urls import reverse

from supportdesk.accounts.models import User
from supportdesk.accounts.services import find_user_by_email, set_password
from supportdesk.portal.services import send_auth_mail
from supportdesk.tickets.changes import MAX_SUBJECT
from supportdesk.tickets.models import CustomField, FieldType, TicketForm
from supportdesk.tickets.services import MAX_BODY

CUSTOM_PREFIX = "cf_"


def _custom_field(field: CustomField) -> forms.Field:
    """The form field that asks for one custom field, by its type."""
    common: dict[str, Any] = {"label": field.label, "required": field.required}
    if field.type == FieldType.NUMBER:
        return forms.DecimalField(max_digits=20, decimal_places=6, **common)
    if field.type == FieldType.CHECKBOX:
        return forms.BooleanField(**common)
    if field.type == FieldType.DATE:
        widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        return forms.DateField(widget=widget, **common)
    if field.type == FieldType.DROPDOWN:
        choices = [("", "Choose one")] + [(str(o), str(o)) for o in field.options]
        return forms.ChoiceField(choices=choices, **common)
    return forms.CharField(max_length=10_000, **common)


def _custom_value(field: CustomField, value: Any) -> Any:
    """A cleaned form value as the ticket service takes it (None leaves it unset)."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if field.type == FieldType.DROPDOWN:
        # Options may be numbers in the definition; the form only knows their text.
        return next((o for o in field.options if str(o) == value), value)
    return value


class RequestForm(forms.Form):
    """A new request, with the customer-visible fields of the chosen ticket form."""

    subject = forms.CharField(max_length=MAX_SUBJECT, label="Subject")
    body = forms.CharField(
        label="Description",
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What happened, what you expected, and anything you already tried.",
    )

    def __init__(self, *args: Any, ticket_form: TicketForm | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ticket_form = ticket_form
        self.custom: list[CustomField] = []
        if ticket_form is not None:
            self.custom = [f for f in ticket_form.fields.all() if f.enabled and f.customer_visible]
        for field in self.custom:
            self.fields[CUSTOM_PREFIX + field.key] = _custom_field(field)

    def custom_bound_fields(self) -> Iterator[forms.BoundField]:
        for field in self.custom:
            yield self[CUSTOM_PREFIX + field.key]

    def custom_values(self) -> dict[str, Any]:
        values = {}
        for field in self.custom:
            value = _custom_value(field, self.cleaned_data.get(CUSTOM_PREFIX + field.key))
            if value is not None:
                values[field.key] = value
        return values


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply", max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 6})
    )


class SignupForm(forms.Form):
    name = forms.CharField(
        label="Your name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label="E-mail", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("password")
        if password:
            person = User(email=data.get("email") or "", name=data.get("name") or "")
            try:
                password_validation.validate_password(password, person)
            except ValidationError as error:
                self.add_error("password", error)
        return data


class EmailForm(forms.Form):
    email = forms.EmailField(
        label="E-mail", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class PortalPasswordResetForm(PasswordResetForm):
    """Django's reset form, finding people by any of their addresses and including those
    who never had a password (created by an e-mail they sent), so that they can set one.
    The mail goes out through notify, like every other mail."""

    def get_users(self, email: str) -> Iterator[User]:
        user = find_user_by_email(email)
        if user is not None and user.is_active:
            yield user

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # To the address typed, which get_users found among the person's own: that is
        # the mailbox they are looking at, and it may not be their primary one.
        typed = self.cleaned_data["email"].strip().lower()
        uid, token = context["uid"], context["token"]
        send_auth_mail(
            kind="password_reset",
            to=typed,
            subject="Set your password",
            template="password_reset",
            user=context["user"],
            path=reverse("portal:password_reset_confirm", args=[uid, token]),
        )


class PortalSetPasswordForm(SetPasswordForm):
    def save(self, commit: bool = True) -> Any:
        set_password(self.user, password=self.cleaned_data["new_password1"])
        return self.user
