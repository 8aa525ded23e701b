"""Sign-in, registration, passwords, the staff second factor and signed-in sessions (namespace ``identity``)."""

from django.urls import path

from onewindow.identity import views_auth

urlpatterns = [
    path("login/", views_auth.login_view, name="login"),
    path("login/totp/", views_auth.login_totp_view, name="login_totp"),
    path("totp/enrol/", views_auth.totp_enrol_view, name="totp_enrol"),
    path("logout/", views_auth.LogoutView.as_view(), name="logout"),
    path("register/", views_auth.register_view, name="register"),
    path("password/reset/", views_auth.password_reset_view, name="password_reset"),
    path("password/change/", views_auth.password_change_view, name="password_change"),
    path("sessions/", views_auth.sessions_view, name="sessions"),
]
