from django.urls import path

from onewindow.assist import kiosk_views

app_name = "kiosk"
urlpatterns = [
    path("", kiosk_views.home, name="home"),
    path("services/", kiosk_views.services, name="services"),
    path("services/<str:code>/", kiosk_views.guide, name="guide"),
    path("track/", kiosk_views.track, name="track"),
    path("card/", kiosk_views.card, name="card"),
    path("mine/", kiosk_views.mine, name="mine"),
    path("end/", kiosk_views.end, name="end"),
]
