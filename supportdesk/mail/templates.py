"""Mail texts that admins edit (the acknowledgement of a new ticket), rendered with Jinja2's
sandbox over a plain dict, so a template can read the values it is given and nothing else:
no attribute of a model, no method that writes.

A `Template` row overrides the built-in default of the same name; a template that no longer
renders (an admin's typo, a removed placeholder) falls back to the default at send time, so
the customer still gets a sensible mail and the error is logged.
"""

from __future__ import annotations

import logging
import sys
import time
from types import FrameType
from typing import Any

from jinja2 import StrictUndefined, TemplateError, Undefined
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from supportdesk.lib.errors import DomainError
from supportdesk.mail.models import Template

log = logging.getLogger(__name__)

ACKNOWLEDGEMENT = "acknowledgement"

# name -> (subject, body). The body is plain text; the HTML part is made from it.
DEFAULT_TEMPLATES: dict[str, tuple[str, str]] = {
    ACKNOWLEDGEMENT: (
        "[#{{ ticket.number }}] {{ ticket.subject }}",
        "Hello {{ requester.first_name or requester.name }},\n"
        "\n"
        "Thank you for writing to us. We received your request and gave it the number "
        "#{{ ticket.number }}.\n"
        "{% if first_reply_due %}"
        "You can expect our first answer by {{ first_reply_due }}.\n"
        "{% else %}"
        "A member of our team will answer as soon as possible.\n"
        "{% endif %}"
        "\n"
        "To add anything, reply to this message. You can also follow your request at "
        "{{ ticket.url }}\n"
        "\n"
        "{{ mailbox.name or 'The support team' }}\n"
        "\n"
        "Your request:\n"
        "\n"
        "{{ ticket.description }}\n",
    ),
}

# What a template is rendered over; the admin page shows it and previews with it.
SAMPLE_CONTEXT: dict[str, Any] = {
    "ticket": {
        "number": 1234,
        "subject": "My invoice is wrong",
        "url": "https://help.example.com/requests/1234/",
        "description": "I was charged twice for invoice 1042. Please refund one charge.",
    },
    "requester": {"name": "Ann Lee", "first_name": "Ann", "email": "ann@example.com"},
    "first_reply_due": "15:00 today (CEST)",
    "mailbox": {"name": "Example Support", "address": "support@example.com"},
}


class TemplateProblem(DomainError):
    """A template that does not render; the message says where and why."""


MAX_OUTPUT = 100_000  # characters of a rendered body
MAX_SECONDS = 0.5  # a template that runs longer (a loop in a loop) is stopped
MAX_REPEAT = 10_000  # 'x' * n and n ** m beyond this are refused


class _Sandbox(SandboxedEnvironment):
    """The sandbox keeps templates away from attributes and methods; this also keeps a
    template like `{{ "x" * 10**12 }}` from taking the worker's memory."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > 100:
            raise SecurityError("exponent too large")
        if operator == "*":
            for value, times in ((left, right), (right, left)):
                if isinstance(value, str | list | tuple) and isinstance(times, int):
                    if times * max(len(value), 1) > MAX_REPEAT:
                        raise SecurityError("repetition too large")
        return super().call_binop(context, operator, left, right)


def _environment(*, strict: bool) -> SandboxedEnvironment:
    # Text mail: nothing to escape. The HTML part escapes the rendered text as a whole.
    return _Sandbox(
        autoescape=False,
        undefined=StrictUndefined if strict else Undefined,
        keep_trailing_newline=True,
    )


_LENIENT = _environment(strict=False)
_STRICT = _environment(strict=True)


def template(name: str) -> tuple[str, str, bool]:
    """(subject, body, enabled) of a template: the admin's row, else the built-in one."""
    row = Template.objects.filter(name=name).first()
    if row is not None:
        return row.subject, row.body, row.enabled
    if name not in DEFAULT_TEMPLATES:
        raise KeyError(f"no mail template named {name!r}")
    subject, body = DEFAULT_TEMPLATES[name]
    return subject, body, True


def render_text(
    subject: str, body: str, context: dict[str, Any], *, strict: bool = False
) -> tuple[str, str]:
    """Render a subject and body. `strict` makes an unknown placeholder an error (for
    checking an admin's edit); otherwise it renders as nothing. Raises TemplateProblem."""
    env = _STRICT if strict else _LENIENT
    out = []
    for part, source in (("subject", subject), ("body", body)):
        try:
            out.append(_bounded(env.from_string(source).generate(context)))
        except TemplateError as exc:
            line = getattr(exc, "lineno", None)
            where = f"{part}, line {line}" if line and part == "body" else part
            raise TemplateProblem(f"{where}: {exc.message or exc}") from exc
    # A subject is one line, whatever the template made of it.
    return " ".join(out[0].split()), out[1]


class _TooSlow(SecurityError):
    pass


def _bounded(chunks: Any) -> str:
    """Join what a template yields, up to MAX_OUTPUT characters and MAX_SECONDS: a line
    tracer on the template's own frames stops a loop that yields nothing, too."""
    deadline = time.monotonic() + MAX_SECONDS

    def on_line(frame: FrameType, event: str, arg: Any) -> Any:
        if time.monotonic() > deadline:
            raise _TooSlow(f"stopped after {MAX_SECONDS} s")
        return on_line

    def on_call(frame: FrameType, event: str, arg: Any) -> Any:
        return on_line if frame.f_code.co_filename == "<template>" else None

    out: list[str] = []
    size = 0
    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        for chunk in chunks:
            out.append(chunk)
            size += len(chunk)
            if size > MAX_OUTPUT:
                break
    finally:
        sys.settrace(previous)
    return "".join(out)[:MAX_OUTPUT]


def render_template(name: str, context: dict[str, Any] | None = None) -> tuple[str, str]:
    """The stored (or built-in) template `name` rendered over `context` (default: the
    sample context). Falls back to the built-in default when the stored one fails."""
    subject, body, _ = template(name)
    context = SAMPLE_CONTEXT if context is None else context
    try:
        return render_text(subject, body, context)
    except TemplateProblem as exc:
        if name not in DEFAULT_TEMPLATES:
            raise
        log.warning("mail template %r does not render (%s); using the built-in one", name, exc)
        return render_text(*DEFAULT_TEMPLATES[name], context)


def check_template(subject: str, body: str) -> str:
    """An admin's edit checked against the sample context: "" when it renders, else what
    is wrong (a syntax error, an unknown placeholder) in words for the form."""
    if not subject.strip():
        return "subject: must not be empty"
    try:
        render_text(subject, body, SAMPLE_CONTEXT, strict=True)
    except TemplateProblem as exc:
        return str(exc)
    return ""
