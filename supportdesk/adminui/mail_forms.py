"""Forms of the e-mail admin pages. They check the shape of the input; the rules (a unique
address, what a login method needs) live in mail/setup.py and mail/services.py."""

from __future__ import annotations

from typing import Any

from django import forms

from supportdesk.accounts.models import Group
from supportdesk.mail.models import Auth, Mailbox

SECURITY = [
    ("ssl", "SSL/TLS from the start"),
    ("starttls", "STARTTLS"),
    ("none", "None (same machine or a test server only)"),
]
# Write-only settings: the page never shows them; left blank they keep the stored value.
SECRET_FIELDS = ("imap_password", "smtp_password", "oauth_client_secret", "oauth_refresh_token")


def _port(label: str, initial: int) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, max_value=65535, initial=initial)


def _secret(label: str, textarea: bool = False) -> forms.CharField:
    widget: forms.Widget = (
        forms.Textarea(attrs={"rows": 2, "autocomplete": "off", "spellcheck": "false"})
        if textarea
        else forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
    )
    return forms.CharField(label=label, required=False, max_length=4000, widget=widget)


class MailboxForm(forms.Form):
    """Every setting of a mailbox; the template lays them out in sections."""

    address = forms.EmailField(
        label="Address",
        max_length=254,
        help_text="The address customers write to, e.g. support@example.com.",
    )
    name = forms.CharField(
        max_length=100, help_text="Shown as the sender of replies: \u201cExample Support\u201d."
    )
    group = forms.ModelChoiceField(
        queryset=Group.objects.order_by("name"),
        required=False,
        empty_label="(no group)",
        label="Default group",
        help_text="New tickets from this address go to this group.",
    )
    enabled = forms.BooleanField(label="Receive mail at this address", required=False)

    imap_host = forms.CharField(
        label="IMAP server",
        max_length=255,
        required=False,
        help_text="Leave empty if mail reaches us another way (SMTP listener or HTTP).",
    )
    imap_port = _port("IMAP port", 993)
    imap_security = forms.ChoiceField(label="IMAP security", choices=SECURITY, initial="ssl")
    imap_username = forms.CharField(label="IMAP username", max_length=255, required=False)
    imap_password = _secret("IMAP password")
    imap_folder = forms.CharField(label="Folder", max_length=255, initial="INBOX")
    imap_move_to = forms.CharField(
        label="Move imported mail to",
        max_length=255,
        required=False,
        help_text="A folder; empty: mark imported mail with a keyword and leave it.",
    )

    smtp_host = forms.CharField(
        label="SMTP server",
        max_length=255,
        required=False,
        help_text="Empty: replies go out through the site's mail server.",
    )
    smtp_port = _port("SMTP port", 587)
    smtp_security = forms.ChoiceField(label="SMTP security", choices=SECURITY, initial="starttls")
    smtp_username = forms.CharField(label="SMTP username", max_length=255, required=False)
    smtp_password = _secret("SMTP password")

    auth = forms.ChoiceField(
        label="Log in with",
        choices=[
            (Auth.PASSWORD.value, "Password"),
            (Auth.XOAUTH2.value, "OAuth 2 (XOAUTH2): Google, Microsoft 365"),
        ],
        widget=forms.RadioSelect,
        initial=Auth.PASSWORD.value,
    )
    oauth_token_url = forms.URLField(
        label="Token URL",
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text="Google: https://oauth2.googleapis.com/token; Microsoft: "
        "https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token",
    )
    oauth_client_id = forms.CharField(label="Client id", max_length=255, required=False)
    oauth_client_secret = _secret("Client secret")
    oauth_refresh_token = _secret("Refresh token", textarea=True)

    # One "forget it" box per write-only field: blank alone keeps what is stored.
    clear_imap_password = forms.BooleanField(label="Remove the stored password", required=False)
    clear_smtp_password = forms.BooleanField(label="Remove the stored password", required=False)
    clear_oauth_client_secret = forms.BooleanField(label="Remove the stored secret", required=False)
    clear_oauth_refresh_token = forms.BooleanField(label="Remove the stored token", required=False)

    def __init__(self, *args: Any, mailbox: Mailbox | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mailbox = mailbox
        for name in SECRET_FIELDS:
            stored = bool(mailbox is not None and getattr(mailbox, name))
            self.fields[name].help_text = (
                "Stored. Type a new one to replace it; leave empty to keep it."
                if stored
                else "Not stored yet."
            )
            if not stored:
                del self.fields[f"clear_{name}"]

    def clean_address(self) -> str:
        return str(self.cleaned_data["address"]).strip().lower()

    def changes(self) -> dict[str, Any]:
        """The mailbox fields to save: every plain field, and a write-only one only when
        typed in (or cleared)."""
        data = self.cleaned_data
        out = {k: v for k, v in data.items() if k not in SECRET_FIELDS and k[:6] != "clear_"}
        for name in SECRET_FIELDS:
            typed = str(data.get(name) or "").strip()
            if typed:
                out[name] = typed
            elif data.get(f"clear_{name}"):
                out[name] = ""
        for name in ("imap_host", "smtp_host", "imap_username", "smtp_username"):
            out[name] = str(out.get(name, "")).strip()
        return out

    @staticmethod
    def initial_of(mailbox: Mailbox) -> dict[str, Any]:
        plain = [name for name in MailboxForm.base_fields if name not in SECRET_FIELDS]
        return {n: getattr(mailbox, n) for n in plain if not n.startswith("clear_")}


class BlockForm(forms.Form):
    """The pattern is checked by mail.services.block_sender, which the page calls."""

    pattern = forms.CharField(
        label="Address or @domain",
        max_length=254,
        help_text="ann@example.com blocks one sender; @example.com every sender of that domain.",
    )


class TemplateForm(forms.Form):
    subject = forms.CharField(max_length=300)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "true"}))
    enabled = forms.BooleanField(label="Send this mail", required=False)
