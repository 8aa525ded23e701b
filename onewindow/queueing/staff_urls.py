from django.urls import path

from onewindow.queueing import staff_views

app_name = "queueing_staff"
urlpatterns = [
    path("", staff_views.window_list, name="windows"),
    path("centres/<uuid:centre_id>/lines/", staff_views.centre_lines, name="lines"),
    path("windows/<uuid:window_id>/", staff_views.window_desk, name="desk"),
    path("windows/<uuid:window_id>/<str:action>/", staff_views.window_act, name="act"),
]
