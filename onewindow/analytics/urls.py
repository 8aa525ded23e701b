from django.urls import path

from onewindow.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("export.pdf", views.export_pdf, name="export_pdf"),
    path("definitions/", views.definitions, name="definitions"),
    path("performance/", views.performance, name="performance"),
    path("evaluation/", views.evaluation, name="evaluation"),
    path("evaluation.pdf", views.evaluation_pdf, name="evaluation_pdf"),
]
