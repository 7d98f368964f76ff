"""Getting in without a password at hand: sign-up, login links and password reset.

Every POST here may send mail, so each counts against a per-client limit, and every
answer is the same whether or not the address has an account.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme

from supportdesk.lib import ratelimit
from supportdesk.lib.errors import DomainError
from supportdesk.portal import services
from supportdesk.portal.forms import (
    EmailForm,
    PortalPasswordResetForm,
    PortalSetPasswordForm,
    SignupForm,
)
from supportdesk.portal.tokens import LOGIN_LINK_MINUTES

BACKEND = "supportdesk.accounts.backends.EmailBackend"


def _wait(request: HttpRequest, scope: str) -> int:
    """Count this attempt; the seconds to wait when the client is over its limit."""
    wait = ratelimit.seconds_blocked(request, scope, settings.LOGIN_FAILURES_PER_MINUTE)
    if not wait:
        ratelimit.record_failure(request, scope)
    return wait


def _refuse(
    request: HttpRequest, template: str, context: dict[str, Any], wait: int
) -> HttpResponse:
    response = render(request, template, {**context, "wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


# Sign-up -------------------------------------------------------------------------------


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("portal:home")
    template = "portal/signup.html"
    if request.method != "POST":
        return render(request, template, {"form": SignupForm()})
    form = SignupForm(request.POST)
    wait = _wait(request, "signup")
    if wait:
        return _refuse(request, template, {"form": form}, wait)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.start_signup(email=data["email"], name=data["name"], password=data["password"])
        except DomainError as exc:
            form.add_error("email", str(exc))
        else:
            return redirect("portal:signup_sent")
    return render(request, template, {"form": form}, status=400)


def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/check_email.html", {"why": "signup"})


def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button and changes nothing, so a mail scanner that opens the link does
    not use it up; the POST creates the account and logs in."""
    template = "portal/signup_confirm.html"
    if request.method != "POST":
        pending = services.pending_signup(token)
        status = 200 if pending is not None else 400
        return render(request, template, {"pending": pending}, status=status)
    try:
        user = services.finish_signup(token)
    except DomainError as exc:
        return render(request, template, {"pending": None, "error": str(exc)}, status=400)
    login(request, user, backend=BACKEND)
    messages.success(request, f"Welcome, {user.display_name}. Your account is ready.")
    return redirect("portal:home")


# Login links ---------------------------------------------------------------------------


def login_link(request: HttpRequest) -> HttpResponse:
    template = "portal/login_link.html"
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method != "POST":
        return render(request, template, {"form": EmailForm(), "next": next_url})
    form = EmailForm(request.POST)
    wait = _wait(request, "login-link")
    if wait:
        return _refuse(request, template, {"form": form, "next": next_url}, wait)
    if not form.is_valid():
        return render(request, template, {"form": form, "next": next_url}, status=400)
    services.send_login_link(form.cleaned_data["email"], next_url=next_url)
    return redirect("portal:login_link_sent")


def login_link_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request, "portal/check_email.html", {"why": "login_link", "minutes": LOGIN_LINK_MINUTES}
    )


def login_link_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """GET asks to confirm (scanners open links); POST logs in and spends the link."""
    user = services.user_for_login_link(uidb64, token)
    template = "portal/login_link_confirm.html"
    if user is None:
        if request.method == "POST":
            ratelimit.record_failure(request, "login-link")
        return render(request, template, {"person": None}, status=400)
    next_url = _safe_next(request, request.GET.get("next"))
    if request.method != "POST":
        return render(request, template, {"person": user, "next": next_url})
    login(request, user, backend=BACKEND)
    return redirect(next_url or "portal:home")


# Password reset: Django's views, our forms and templates --------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PortalPasswordResetForm
    template_name = "portal/password_reset.html"
    success_url = reverse_lazy("portal:password_reset_sent")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = _wait(request, "password-reset")
        if wait:
            return _refuse(request, self.template_name, {"form": self.get_form()}, wait)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "portal/check_email.html"
    extra_context = {"why": "password_reset"}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = PortalSetPasswordForm
    template_name = "portal/password_reset_confirm.html"
    success_url = reverse_lazy("portal:password_reset_complete")
    post_reset_login = True
    post_reset_login_backend = BACKEND


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/password_reset_complete.html"
