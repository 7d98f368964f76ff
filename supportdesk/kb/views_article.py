"""One article for agents (/agent/kb/articles/<id>/): its text in one language, the
settings every language shares, its state, translations, feedback and counters."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from supportdesk.adminui.access import add_domain_error
from supportdesk.agent.pages import agent_required
from supportdesk.kb import services
from supportdesk.kb.forms import SettingsForm, StateForm, TranslationForm
from supportdesk.kb.markdown import render as render_markdown
from supportdesk.kb.models import Article, State, Translation
from supportdesk.kb.views_common import article_or_404, can_edit, page, public_url, read_only
from supportdesk.lib.errors import DomainError, NotFound, PermissionDenied
from supportdesk.lib.http import AuthedRequest

LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
FEEDBACK_SHOWN = 50
STATE_DONE = {
    State.PUBLISHED: "published",
    State.DRAFT: "unpublished; it is a draft again",
    State.ARCHIVED: "archived",
}


def _language(request: AuthedRequest, article: Article) -> str:
    lang = request.GET.get("lang", "").strip().lower()
    return lang if LANGUAGE.match(lang) else article.default_language


def _edit_url(article: Article, language: str) -> str:
    url = reverse("kb:article", args=[article.pk])
    return url if language == article.default_language else f"{url}?lang={language}"


@agent_required
@require_http_methods(["GET", "POST"])
def article(request: AuthedRequest, pk: int) -> HttpResponse:
    """The editor of one language's text. A new language starts from the default
    language's text; saving it creates the translation."""
    art = article_or_404(request, pk)
    language = _language(request, art)
    translations = {t.language: t for t in art.translations.all()}
    current = translations.get(language)
    if request.method != "POST":
        start = current or translations.get(art.default_language)
        initial = {"title": start.title, "body": start.body} if start else {}
        return _article_page(request, art, language, translations, TranslationForm(initial=initial))
    if not can_edit(request.user):
        return read_only(request)
    form = TranslationForm(request.POST)
    preview = None
    if form.is_valid() and "preview" in request.POST:
        preview = mark_safe(render_markdown(form.cleaned_data["body"]))  # noqa: S308 - sanitised by nh3
    elif form.is_valid():
        data = form.cleaned_data
        try:
            services.save_translation(
                art, by=request.user, language=language, title=data["title"],
                body=data["body"], note=data["note"] or "",
            )  # fmt: skip
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"The {language} text is saved.")
            return redirect(_edit_url(art, language))
    status = 200 if preview is not None else 400
    return _article_page(request, art, language, translations, form, preview=preview, status=status)


def _article_page(
    request: AuthedRequest,
    art: Article,
    language: str,
    translations: dict[str, Translation],
    form: TranslationForm,
    *,
    settings_form: SettingsForm | None = None,
    preview: Any = None,
    status: int = 200,
) -> HttpResponse:
    if settings_form is None:
        settings_form = SettingsForm(initial=_settings_initial(art), languages=sorted(translations))
    current = translations.get(language)
    context = {
        "article": art,
        "language": language,
        "translation": current,
        "title": _title(art, translations, language),
        "translations": [translations[lang] for lang in sorted(translations)],
        "form": form,
        "settings_form": settings_form,
        "preview": preview,
        "feedback": list(
            art.feedback.exclude(comment="")
            .select_related("user")
            .order_by("-created_at", "-id")[:FEEDBACK_SHOWN]
        ),
        "public_url": public_url(art) if art.is_public else "",
        "states": State,
    }
    return page(request, "kb/agent/article.html", context, status=status)


def _title(art: Article, translations: dict[str, Translation], language: str) -> str:
    shown = translations.get(language) or translations.get(art.default_language)
    return shown.title if shown else art.slug


def _settings_initial(art: Article) -> dict[str, Any]:
    return {
        "section": art.section_id,
        "visibility": art.visibility,
        "owner": art.owner_id,
        "tags": ", ".join(art.tags or []),
        "review_by": art.review_by,
        "default_language": art.default_language,
    }


@agent_required
@require_POST
def preview(request: AuthedRequest) -> HttpResponse:
    """The htmx preview of a body being written: rendered and sanitised, saves nothing."""
    body = request.POST.get("body", "")[: services.MAX_BODY]
    html = mark_safe(render_markdown(body))  # noqa: S308 - sanitised by nh3
    return render(request, "kb/agent/preview.html", {"preview": html})


@agent_required
@require_POST
def article_settings(request: AuthedRequest, pk: int) -> HttpResponse:
    art = article_or_404(request, pk)
    if not can_edit(request.user):
        return read_only(request)
    translations = {t.language: t for t in art.translations.all()}
    form = SettingsForm(request.POST, languages=sorted(translations))
    if form.is_valid():
        try:
            services.update_article(art, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Settings saved.")
            return redirect("kb:article", pk=art.pk)
    language = art.default_language
    start = translations.get(language)
    text = TranslationForm(initial={"title": start.title, "body": start.body} if start else {})
    return _article_page(request, art, language, translations, text, settings_form=form, status=400)


@agent_required
@require_POST
def article_state(request: AuthedRequest, pk: int) -> HttpResponse:
    art = article_or_404(request, pk)
    form = StateForm(request.POST)
    if not can_edit(request.user):
        return read_only(request)
    if not form.is_valid():
        messages.error(request, "Choose published, draft or archived.")
        return redirect("kb:article", pk=art.pk)
    services.set_state(art, by=request.user, state=form.cleaned_data["state"])
    messages.success(request, f"Article {STATE_DONE[form.cleaned_data['state']]}.")
    return redirect("kb:article", pk=art.pk)


@agent_required
@require_POST
def translation_delete(request: AuthedRequest, pk: int, language: str) -> HttpResponse:
    art = article_or_404(request, pk)
    if not can_edit(request.user):
        return read_only(request)
    try:
        services.delete_translation(art, by=request.user, language=language)
    except PermissionDenied:
        return read_only(request)
    except (DomainError, NotFound) as exc:  # say so on the page rather than a bare 404
        messages.error(request, str(exc)[:1].upper() + str(exc)[1:] + ".")
    else:
        messages.success(request, f"The {language} translation is deleted.")
    return redirect("kb:article", pk=art.pk)


@agent_required
@require_http_methods(["GET", "POST"])
def article_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    art = article_or_404(request, pk)
    if not can_edit(request.user):
        return read_only(request)
    if request.method == "POST":
        services.delete_article(art, by=request.user)
        messages.success(request, "Article deleted.")
        return redirect("kb:index")
    title = art.translations.filter(language=art.default_language).values_list("title", flat=True)
    return page(
        request,
        "kb/agent/article_delete.html",
        {"article": art, "title": title.first() or art.slug},
    )
