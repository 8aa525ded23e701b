from django.urls import path

from onewindow.halls import staff_views, window_views

app_name = "halls_staff"
urlpatterns = [
    path("", staff_views.centre_list, name="centres"),
    path("<uuid:centre_id>/", staff_views.centre_detail, name="centre"),
    path("<uuid:centre_id>/hall/", window_views.hall_page, name="hall"),
    path("<uuid:centre_id>/hall/hours/", window_views.hours_save, name="hours_save"),
    path("<uuid:centre_id>/hall/windows/", window_views.window_add, name="window_add"),
    path("<uuid:centre_id>/hall/windows/<uuid:window_id>/duty/", window_views.duty_add, name="duty_add"),
    path("<uuid:centre_id>/hall/duties/<uuid:duty_id>/remove/", window_views.duty_remove, name="duty_remove"),
    path("<uuid:centre_id>/window-clerks/", staff_views.window_clerk_add, name="window_clerk_add"),
    path(
        "<uuid:centre_id>/window-clerks/<uuid:clerk_id>/remove/",
        staff_views.window_clerk_remove,
        name="window_clerk_remove",
    ),
    path(
        "<uuid:centre_id>/stationings/<uuid:stationing_id>/items/",
        staff_views.stationing_items,
        name="stationing_items",
    ),
]
