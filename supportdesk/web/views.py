"""The pages of the foundation: sign in and out, attachment downloads.
The agent workspace and the customer portal build on these."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from supportdesk.lib import ratelimit
from supportdesk.lib.errors import NotFound
from supportdesk.lib.http import AuthedRequest
from supportdesk.tickets.queries import access_attachment

LOGIN_SCOPE = "login"
# Images a browser may show inline; everything else downloads.
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


class LoginView(auth_views.LoginView):
    """Password login, with failed attempts limited per client address and minute."""

    template_name = "web/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = ratelimit.seconds_blocked(request, LOGIN_SCOPE, settings.LOGIN_FAILURES_PER_MINUTE)
        if wait:
            form = self.get_form()
            response = self.render_to_response(self.get_context_data(form=form, wait=wait))
            response.status_code = 429
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        ratelimit.record_failure(self.request, LOGIN_SCOPE)
        return super().form_invalid(form)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@login_required
def attachment(request: AuthedRequest, token: str, filename: str) -> FileResponse:
    try:
        att = access_attachment(request.user, token)
    except NotFound as exc:
        raise Http404("no such file") from exc
    inline = att.content_type in INLINE_TYPES
    response = FileResponse(
        att.file.open("rb"),
        as_attachment=not inline,
        filename=att.filename,
        content_type=att.content_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
