"""The agent's own settings: profile and saved-view editor."""

from django.urls import URLPattern, path

from supportdesk.agent import profile_views, view_editor

urlpatterns: list[URLPattern] = [
    path("profile/", profile_views.profile, name="profile"),
    path("profile/tokens/", profile_views.tokens, name="tokens"),
    # Before the lead's `views/<str:key>/`, which would take "new" for a key.
    path("views/new/", view_editor.view_new, name="view_new"),
    path("views/<int:view_id>/edit/", view_editor.view_edit, name="view_edit"),
    path("views/<int:view_id>/delete/", view_editor.view_delete, name="view_delete"),
]
