"""The admin pages of triggers and time rules, mounted at /agent/admin/automation/."""

from django.urls import path

from supportdesk.automation import views_rules

app_name = "automation_rules"

urlpatterns = [
    path("", views_rules.index, name="index"),
    path("<slug:kind>/", views_rules.rule_list, name="rules"),
    path("<slug:kind>/new/", views_rules.rule_edit, name="rule_new"),
    path("<slug:kind>/<int:pk>/", views_rules.rule_edit, name="rule"),
    path("<slug:kind>/<int:pk>/enabled/", views_rules.rule_enabled, name="rule_enabled"),
    path("<slug:kind>/<int:pk>/move/", views_rules.rule_move, name="rule_move"),
    path("<slug:kind>/<int:pk>/matches/", views_rules.rule_matches, name="rule_matches"),
    path("<slug:kind>/<int:pk>/delete/", views_rules.rule_delete, name="rule_delete"),
]
