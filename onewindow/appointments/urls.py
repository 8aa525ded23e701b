from django.urls import path

from onewindow.appointments import views

app_name = "appointments"
urlpatterns = [
    path("", views.booking_list, name="mine"),
    path("new/", views.booking_new, name="new"),
    path("<uuid:booking_id>/", views.booking_detail, name="booking"),
    path("<uuid:booking_id>/details/", views.booking_details, name="details"),
    path("<uuid:booking_id>/booking.ics", views.booking_calendar, name="ics"),
    path("<uuid:booking_id>/<str:action>/", views.booking_act, name="act"),
]
