"""The public help center at /help/."""

from django.urls import path

from supportdesk.kb import views_help, views_help_feedback, views_help_suggest

app_name = "help"

urlpatterns: list = [
    path("", views_help.home, name="home"),
    path("search/", views_help.search_page, name="search"),
    path("suggest/", views_help_suggest.suggest, name="suggest"),
    path("categories/<slug:slug>/", views_help.category, name="category"),
    path("sections/<slug:slug>/", views_help.section, name="section"),
    path("articles/<slug:slug>/", views_help.article, name="article"),
    path("articles/<slug:slug>/vote/", views_help_feedback.vote, name="vote"),
    path("articles/<slug:slug>/comment/", views_help_feedback.comment, name="comment"),
]
