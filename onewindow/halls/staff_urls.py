from django.urls import path

from onewindow.halls import staff_views

app_name = "halls_staff"
urlpatterns = [
    path("", staff_views.centre_list, name="centres"),
    path("<uuid:centre_id>/", staff_views.centre_detail, name="centre"),
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
