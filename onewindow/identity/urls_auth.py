from django.contrib.auth import views as auth_views
from django.urls import path

from onewindow.accounts.views import StaffLoginView

urlpatterns = [
    path("login/", StaffLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
