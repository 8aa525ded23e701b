from django.urls import path

from onewindow.assist import elderly_views

app_name = "elderly"
urlpatterns = [
    path("", elderly_views.home, name="home"),
    path("call-me-back/", elderly_views.callback, name="callback"),
]
