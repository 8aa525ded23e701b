from django.urls import path

from onewindow.ratings import views

app_name = "ratings"
urlpatterns = [
    path("rate/case/<uuid:case_id>/", views.rate_case, name="rate_case"),
    path("rate/window/<uuid:centre_id>/<str:window_code>/", views.rate_window, name="rate_window"),
    path("rate/mine/", views.my_ratings, name="mine"),
    path("rate/fix/<uuid:rectification_id>/", views.rerate, name="rerate"),
    path("ratings/report/", views.report, name="report"),
    path("ratings/report/export.csv", views.report_export, name="report_export"),
]
