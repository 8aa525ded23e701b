from django.urls import path

from onewindow.appointments import staff_views

app_name = "appointments_staff"
urlpatterns = [
    path("", staff_views.booking_list, name="bookings"),
    path("lines/<uuid:line_id>/slots/", staff_views.slots_generate, name="slots_generate"),
    path("<uuid:booking_id>/", staff_views.booking_detail, name="booking"),
    path("<uuid:booking_id>/check-in/", staff_views.booking_check_in, name="check_in"),
    path("<uuid:booking_id>/file-case/", staff_views.booking_file_case, name="file_case"),
]
