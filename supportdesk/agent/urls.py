from django.urls import include, path

from supportdesk.agent import bulk, queue_views, search_views, structure_views, ticket_views

app_name = "agent"

urlpatterns = [
    path("", include("supportdesk.agent.urls_personal")),
    path("", queue_views.index, name="index"),
    path("rail/", queue_views.rail, name="rail"),
    path("notifications/", include("supportdesk.notify.urls")),
    path("views/<str:key>/", queue_views.queue, name="queue"),
    path("search/", search_views.search, name="search"),
    path("bulk/", bulk.bulk, name="bulk"),
    path("tickets/new/", structure_views.new_ticket, name="ticket_new"),
    path("tickets/<int:number>/", ticket_views.ticket_page, name="ticket"),
    path("tickets/<int:number>/reply/", ticket_views.reply_view, name="ticket_reply"),
    path("tickets/<int:number>/update/", ticket_views.update_view, name="ticket_update"),
    path(
        "tickets/<int:number>/requester-notes/",
        ticket_views.requester_notes_view,
        name="requester_notes",
    ),
    path(
        "tickets/<int:number>/emergencies/<int:emergency_id>/acknowledge/",
        ticket_views.acknowledge_view,
        name="acknowledge",
    ),
    path("tickets/<int:number>/merge/", structure_views.merge_view, name="ticket_merge"),
    path("tickets/<int:number>/link/", structure_views.link_view, name="ticket_link"),
    path("tickets/<int:number>/unlink/", structure_views.unlink_view, name="ticket_unlink"),
    path("tickets/<int:number>/trash/", structure_views.trash_view, name="ticket_trash"),
    path("tickets/<int:number>/restore/", structure_views.restore_view, name="ticket_restore"),
]
