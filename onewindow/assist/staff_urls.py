from django.urls import path

from onewindow.assist import staff_views

app_name = "assist_staff"
urlpatterns = [
    path("", staff_views.points, name="points"),
    path("callbacks/", staff_views.callbacks, name="callbacks"),
    path("callbacks/<uuid:request_id>/close/", staff_views.callback_close, name="callback_close"),
    path("<uuid:centre_id>/", staff_views.point, name="point"),
    path("<uuid:centre_id>/file/", staff_views.file, name="file"),
    path("<uuid:centre_id>/filings/<uuid:filing_id>/", staff_views.filing, name="filing"),
]
