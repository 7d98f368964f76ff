"""Macro pages, mounted at /agent/ (next to the workspace they belong to)."""

from django.urls import path

from supportdesk.automation import views_macros

app_name = "automation"

urlpatterns = [
    path("macros/", views_macros.macro_list, name="macros"),
    path("macros/new/", views_macros.macro_edit, name="macro_new"),
    path("macros/<int:pk>/", views_macros.macro_edit, name="macro"),
    path("macros/<int:pk>/delete/", views_macros.macro_delete, name="macro_delete"),
    path("tickets/<int:number>/macros/", views_macros.macro_pick, name="macro_pick"),
    path(
        "tickets/<int:number>/macros/<int:pk>/preview/",
        views_macros.macro_preview,
        name="macro_preview",
    ),
]
