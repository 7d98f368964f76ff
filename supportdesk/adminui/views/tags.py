"""/agent/admin/tags/: the tags in use, renamed or removed on every ticket in the
background."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from supportdesk.adminui.access import add_domain_error, admin_view, show
from supportdesk.adminui.forms import RemoveTagForm, RenameTagForm
from supportdesk.adminui.tasks import remove_tag_everywhere, rename_tag_everywhere
from supportdesk.jobs import enqueue
from supportdesk.lib.errors import DomainError
from supportdesk.lib.http import AuthedRequest
from supportdesk.tickets.tagging import check_rename, clean_tag, tag_usage, top_tags


@admin_view
def tag_list(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:80]
    context = {"section": "tags", "q": q, "tags": top_tags(search=q)}
    return show(request, "adminui/tags.html", context)


@admin_view
def tag_edit(request: AuthedRequest) -> HttpResponse:
    """One tag: how many tickets carry it, and the rename and remove forms."""
    try:
        tag = clean_tag(request.GET.get("tag", ""))
    except DomainError:
        messages.error(request, "Pick a tag from the list.")
        return redirect("adminui:tags")
    return _render(request, tag, RenameTagForm(initial={"tag": tag, "new_name": tag}))


def _render(
    request: AuthedRequest, tag: str, rename: RenameTagForm, status: int = 200
) -> HttpResponse:
    context = {
        "section": "tags",
        "tag": tag,
        "usage": tag_usage(tag),
        "rename": rename,
        "remove": RemoveTagForm(initial={"tag": tag}),
    }
    return show(request, "adminui/tag_edit.html", context, status=status)


@require_POST
@admin_view
def tag_rename(request: AuthedRequest) -> HttpResponse:
    form = RenameTagForm(request.POST)
    if form.is_valid():
        try:
            old, new = check_rename(form.cleaned_data["tag"], form.cleaned_data["new_name"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            usage = tag_usage(old)
            enqueue(rename_tag_everywhere, old, new, request.user.pk)
            messages.success(
                request,
                f"Renaming tag {old} to {new} on {usage.changeable:,} tickets in the "
                f"background.{_kept(usage.kept)}",
            )
            return redirect("adminui:tags")
    try:
        tag = clean_tag(request.POST.get("tag", ""))
    except DomainError:
        messages.error(request, "Pick a tag from the list.")
        return redirect("adminui:tags")
    return _render(request, tag, form, status=400)


@require_POST
@admin_view
def tag_remove(request: AuthedRequest) -> HttpResponse:
    form = RemoveTagForm(request.POST)
    try:
        tag = clean_tag(request.POST.get("tag", "")) if form.is_valid() else ""
    except DomainError:
        tag = ""
    if not tag:
        messages.error(request, "Pick a tag from the list.")
        return redirect("adminui:tags")
    usage = tag_usage(tag)
    enqueue(remove_tag_everywhere, tag, request.user.pk)
    messages.success(
        request,
        f"Removing tag {tag} from {usage.changeable:,} tickets in the background."
        f"{_kept(usage.kept)}",
    )
    return redirect("adminui:tags")


def _kept(kept: int) -> str:
    if not kept:
        return ""
    return f" {kept:,} closed or trashed tickets keep it: closed tickets cannot change."
