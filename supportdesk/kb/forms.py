"""Forms of the knowledge base's agent pages. They only parse what was typed; the
services check the rest and their DomainErrors land on the matching field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from supportdesk.accounts.models import User
from supportdesk.kb.markdown import TROUBLESHOOTING_TEMPLATE
from supportdesk.kb.models import Category, Section, State, Visibility
from supportdesk.kb.services import AUTHORS, MAX_BODY, MAX_TITLE

STRUCTURES = {"troubleshooting": TROUBLESHOOTING_TEMPLATE}
LANGUAGE_HELP = "A code such as en, de or pt-br."


def authors() -> Any:
    return User.objects.filter(role__in=AUTHORS, is_active=True).order_by("name", "email")


def split_tags(raw: str) -> list[str]:
    return [t.strip() for t in (raw or "").split(",") if t.strip()]


class SectionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.category.name} › {obj.name}"


class OwnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name


def _sections() -> Any:
    return Section.objects.select_related("category").order_by(
        "category__position", "category__name", "position", "name"
    )


class SharedFields(forms.Form):
    """What every language of an article shares."""

    section = SectionChoice(queryset=Section.objects.none())
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.PUBLIC)
    owner = OwnerChoice(queryset=User.objects.none(), required=False, empty_label="Me")
    tags = forms.CharField(required=False, max_length=1100, help_text="Separated by commas.")
    review_by = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When someone should check it is still right.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = _sections()  # type: ignore[attr-defined]
        self.fields["owner"].queryset = authors()  # type: ignore[attr-defined]

    def clean_tags(self) -> list[str]:
        return split_tags(self.cleaned_data.get("tags", ""))


class ArticleForm(SharedFields):
    """A new article: its first text and its shared settings."""

    title = forms.CharField(max_length=MAX_TITLE)
    body = forms.CharField(
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 16, "class": "markdown"}),
        help_text="Markdown: ## headings, **bold**, lists, [links](https://…).",
    )
    language = forms.CharField(max_length=10, help_text=LANGUAGE_HELP)

    field_order = ["section", "title", "body", "language", "visibility", "tags", "review_by"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = settings.KB_DEFAULT_LANGUAGE


class SettingsForm(SharedFields):
    default_language = forms.ChoiceField(choices=())

    def __init__(self, *args: Any, languages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_language"].choices = [(lang, lang) for lang in languages]  # type: ignore[attr-defined]
        self.fields["owner"].required = True  # type: ignore[attr-defined]
        self.fields["owner"].empty_label = None  # type: ignore[attr-defined]


class TranslationForm(forms.Form):
    title = forms.CharField(max_length=MAX_TITLE)
    body = forms.CharField(
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 18, "class": "markdown"}),
        help_text="Markdown: ## headings, **bold**, lists, [links](https://…).",
    )
    note = forms.CharField(
        required=False, max_length=200, help_text="What changed, for the history (optional)."
    )


class StateForm(forms.Form):
    state = forms.ChoiceField(choices=State.choices)


class CategoryForm(forms.Form):
    name = forms.CharField(max_length=200)
    position = forms.IntegerField(min_value=0, max_value=10_000, initial=0, required=False)


class SectionForm(CategoryForm):
    category = forms.ModelChoiceField(queryset=Category.objects.all())


class ListFilter(forms.Form):
    """The article list's filters, all optional; a bad value is ignored, not an error."""

    q = forms.CharField(required=False, max_length=200, label="Find")
    state = forms.ChoiceField(required=False, choices=[("", "Any state"), *State.choices])
    visibility = forms.ChoiceField(
        required=False, choices=[("", "Any visibility"), *Visibility.choices]
    )
    section = forms.ModelChoiceField(
        required=False, queryset=Section.objects.none(), empty_label="Any section"
    )
    mine = forms.BooleanField(required=False, label="Mine")
    stale = forms.BooleanField(required=False, label="Review date passed")
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = _sections()  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        """The valid filters; a field with a bad value counts as not set."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) for name in self.fields if name not in self.errors}
