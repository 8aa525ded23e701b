from django.urls import path

from onewindow.catalogue.exchange import views

app_name = "catalogue_exchange"
urlpatterns = [
    path("", views.exchange_home, name="home"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("import", views.import_upload, name="import"),
    path("imports/<uuid:job_id>", views.job_detail, name="job"),
    path("imports/<uuid:job_id>/progress", views.job_progress, name="job_progress"),
]
