"""The admin pages, mounted at /agent/admin/."""

from django.urls import include, path

from supportdesk.adminui.views import (
    agents,
    customers,
    groups,
    home,
    mail,
    organizations,
    setup,
    sla,
    tags,
    tokens,
)

app_name = "adminui"

urlpatterns = [
    path("", home.index, name="index"),
    path("agents/", agents.agent_list, name="agents"),
    path("agents/new/", agents.agent_new, name="agent_new"),
    path("agents/<int:pk>/", agents.agent_edit, name="agent"),
    path("agents/<int:pk>/active/", agents.agent_active, name="agent_active"),
    path("agents/<int:pk>/invite/", agents.agent_invite, name="agent_invite"),
    path("groups/", groups.group_list, name="groups"),
    path("groups/new/", groups.group_edit, name="group_new"),
    path("groups/<int:pk>/", groups.group_edit, name="group"),
    path("groups/<int:pk>/delete/", groups.group_delete, name="group_delete"),
    path("organizations/", organizations.organization_list, name="organizations"),
    path("organizations/new/", organizations.organization_edit, name="organization_new"),
    path("organizations/<int:pk>/", organizations.organization_edit, name="organization"),
    path(
        "organizations/<int:pk>/delete/",
        organizations.organization_delete,
        name="organization_delete",
    ),
    path("customers/", customers.customer_list, name="customers"),
    path("customers/<int:pk>/", customers.customer_edit, name="customer"),
    path("customers/<int:pk>/addresses/", customers.customer_address, name="customer_address"),
    path("customers/<int:pk>/active/", customers.customer_active, name="customer_active"),
    path("customers/<int:pk>/merge/", customers.customer_merge, name="customer_merge"),
    path("fields/", setup.setup_list, name="setup"),
    path("fields/new/", setup.field_edit, name="field_new"),
    path("fields/<int:pk>/", setup.field_edit, name="field"),
    path("fields/<int:pk>/enabled/", setup.field_enabled, name="field_enabled"),
    path("forms/new/", setup.form_edit, name="form_new"),
    path("forms/<int:pk>/", setup.form_edit, name="form"),
    path("forms/<int:pk>/enabled/", setup.form_enabled, name="form_enabled"),
    path("tags/", tags.tag_list, name="tags"),
    path("tags/tag/", tags.tag_edit, name="tag"),
    path("tags/rename/", tags.tag_rename, name="tag_rename"),
    path("tags/remove/", tags.tag_remove, name="tag_remove"),
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/created/", tokens.token_created, name="token_created"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("sla/", include(sla.urlpatterns)),
    path("mail/", include(mail.urlpatterns)),
    path("webhooks/", include("supportdesk.webhooks.urls")),
]
