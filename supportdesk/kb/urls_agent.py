"""The knowledge base in the agent workspace, at /agent/kb/."""

from django.urls import include, path

from supportdesk.kb import (
    views_article,
    views_articles,
    views_composer,
    views_history,
    views_structure,
)

app_name = "kb"

urlpatterns: list = [
    path("", views_articles.index, name="index"),
    path("articles/new/", views_articles.article_new, name="article_new"),
    path("articles/<int:pk>/", views_article.article, name="article"),
    path("articles/<int:pk>/settings/", views_article.article_settings, name="article_settings"),
    path("articles/<int:pk>/state/", views_article.article_state, name="article_state"),
    path("articles/<int:pk>/delete/", views_article.article_delete, name="article_delete"),
    path(
        "articles/<int:pk>/translations/<str:language>/delete/",
        views_article.translation_delete,
        name="translation_delete",
    ),
    path("articles/<int:pk>/revisions/", views_history.revisions, name="revisions"),
    path(
        "articles/<int:pk>/revisions/<int:revision_id>/restore/",
        views_history.restore,
        name="restore",
    ),
    path("preview/", views_article.preview, name="preview"),
    path("structure/", views_structure.structure, name="structure"),
    path("structure/categories/", views_structure.category_save, name="category_new"),
    path("structure/categories/<int:pk>/", views_structure.category_save, name="category"),
    path(
        "structure/categories/<int:pk>/delete/",
        views_structure.category_delete,
        name="category_delete",
    ),
    path("structure/sections/", views_structure.section_save, name="section_new"),
    path("structure/sections/<int:pk>/", views_structure.section_save, name="section"),
    path(
        "structure/sections/<int:pk>/delete/",
        views_structure.section_delete,
        name="section_delete",
    ),
    path("tickets/<int:number>/articles/", views_composer.pick, name="pick"),
    path("tickets/<int:number>/draft/", views_composer.from_ticket, name="from_ticket"),
    path("insights/", include("supportdesk.kb.urls_insights")),
]
