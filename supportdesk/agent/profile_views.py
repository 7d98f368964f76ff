"""The agent's own settings: profile, password and personal API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from supportdesk.accounts.services import create_token, revoke_token, set_password, update_user
from supportdesk.agent.forms_personal import ProfileForm, TokenForm
from supportdesk.agent.pages import agent_required, render_workspace
from supportdesk.lib.errors import DomainError
from supportdesk.lib.http import AuthedRequest

PROFILE_TEMPLATE = "agent/profile.html"
TOKENS_TEMPLATE = "agent/tokens.html"


def _profile_initial(request: AuthedRequest) -> dict[str, str]:
    user = request.user
    return {
        "name": user.name,
        "signature": user.signature,
        "time_zone": user.time_zone,
        "language": user.language,
        "availability": user.availability,
    }


@agent_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthedRequest) -> HttpResponse:
    """Two forms on one page; a hidden `form` field says which one was sent."""
    user = request.user
    profile_form = ProfileForm(initial=_profile_initial(request), user=user)
    password_form = PasswordChangeForm(user)
    if request.method == "POST" and request.POST.get("form") == "password":
        password_form = PasswordChangeForm(user, request.POST)
        if password_form.is_valid():
            # The form only checks; the service writes, like every other change of a user.
            set_password(user, password=password_form.cleaned_data["new_password1"])
            update_session_auth_hash(request, user)
            messages.success(request, "Your password is changed.")
            return redirect("agent:profile")
    elif request.method == "POST":
        profile_form = ProfileForm(request.POST, user=user)
        if profile_form.is_valid() and _save_profile(request, profile_form):
            messages.success(request, "Your profile is saved.")
            return redirect("agent:profile")
    context = {"form": profile_form, "password_form": password_form}
    status = 400 if request.method == "POST" else 200
    return render_workspace(request, PROFILE_TEMPLATE, context, status=status)


def _save_profile(request: AuthedRequest, form: ProfileForm) -> bool:
    try:
        update_user(request.user, by=request.user, **form.cleaned_data)
    except DomainError as exc:
        form.add_domain_error(exc)
        # The failed save may have set some attributes before the service refused.
        request.user.refresh_from_db()
        return False
    return True


@agent_required
@require_http_methods(["GET", "POST"])
def tokens(request: AuthedRequest) -> HttpResponse:
    """List, create and revoke the agent's own tokens.

    A new token is shown in the answer to the POST that made it, not after a redirect:
    the secret is never stored (not even in the session), so that page is the only
    place it can appear.
    """
    form = TokenForm()
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST" and "revoke" in request.POST:
        return _revoke(request, request.POST["revoke"])
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            context["new_token"] = create_token(request.user, name=form.cleaned_data["name"])
            context["new_token_name"] = form.cleaned_data["name"]
            form = TokenForm()
        else:
            status = 400
    context["form"] = form
    context["tokens"] = list(request.user.api_tokens.order_by("-created_at", "-id"))
    response = render_workspace(request, TOKENS_TEMPLATE, context, status=status)
    if "new_token" in context:
        response["Cache-Control"] = "no-store"
    return response


def _revoke(request: AuthedRequest, raw_id: str) -> HttpResponse:
    # Only the agent's own tokens, admins included: other people's are managed elsewhere.
    token_id = int(raw_id) if raw_id.isdigit() and len(raw_id) < 19 else 0
    own = request.user.api_tokens.filter(pk=token_id).first()
    if own is None:
        messages.error(request, "That token does not exist or is not yours; nothing changed.")
        return redirect("agent:tokens")
    try:
        revoke_token(own.pk, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        label = own.name or f"{own.prefix}…"
        messages.success(request, f"Token {label} is revoked; programs using it stop working.")
    return redirect("agent:tokens")
