"""/agent/admin/tokens/: every API token; admins make them for any agent and revoke
them. (Each agent manages their own on /agent/profile/tokens/.)

A token is shown once: the view that makes it keeps the secret in the session for the
next page, which takes it out as it shows it.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from supportdesk.accounts.models import ApiToken
from supportdesk.accounts.services import create_token, revoke_token
from supportdesk.adminui.access import admin_view, paged, show
from supportdesk.adminui.forms import TokenForm
from supportdesk.lib.errors import DomainError
from supportdesk.lib.http import AuthedRequest

SESSION_KEY = "adminui_new_token"


@admin_view
def token_list(request: AuthedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None, initial={"owner": request.user})
    if request.method == "POST" and form.is_valid():
        owner, name = form.cleaned_data["owner"], form.cleaned_data["name"]
        secret = create_token(owner, name=name)
        request.session[SESSION_KEY] = {"secret": secret, "name": name, "owner": owner.email}
        return redirect("adminui:token_created")
    tokens = ApiToken.objects.select_related("user")
    context = {"section": "tokens", "form": form, **paged(request, tokens, ("-id",))}
    return show(request, "adminui/tokens.html", context, status=400 if form.errors else 200)


@never_cache
@admin_view
def token_created(request: AuthedRequest) -> HttpResponse:
    new = request.session.pop(SESSION_KEY, None)
    if not isinstance(new, dict):
        messages.error(
            request, "A token is shown only once. If you lost it, revoke it and make another."
        )
        return redirect("adminui:tokens")
    return show(request, "adminui/token_created.html", {"section": "tokens", "new": new})


@require_POST
@admin_view
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        revoke_token(pk, by=request.user)
    except DomainError as exc:
        raise Http404("no such token") from exc
    messages.success(request, "Revoked the token. Programs that use it get a 401 now.")
    return redirect("adminui:tokens")
