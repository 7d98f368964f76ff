from django.urls import path

from supportdesk.portal import account_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("requests/", views.request_list, name="requests"),
    path("requests/new/", views.new_request, name="new"),
    path("requests/<int:number>/", views.request_page, name="request"),
    path("requests/<int:number>/reply/", views.reply_view, name="reply"),
    path("requests/<int:number>/solve/", views.solve_view, name="solve"),
    path("signup/", account_views.signup, name="signup"),
    path("signup/sent/", account_views.signup_sent, name="signup_sent"),
    path("signup/confirm/<str:token>/", account_views.signup_confirm, name="signup_confirm"),
    path("login/link/", account_views.login_link, name="login_link"),
    path("login/link/sent/", account_views.login_link_sent, name="login_link_sent"),
    path(
        "login/link/<uidb64>/<token>/",
        account_views.login_link_confirm,
        name="login_link_confirm",
    ),
    path("password-reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        account_views.PasswordResetSentView.as_view(),
        name="password_reset_sent",
    ),
    path(
        "password-reset/done/",
        account_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
]
