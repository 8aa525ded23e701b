from django.urls import path

from onewindow.workbench import views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    path("admin-tools/organisations/import", views.organisations_import_page, name="organisations_import"),
    path(
        "admin-tools/organisations/template.xlsx",
        views.organisations_import_template,
        name="organisations_import_template",
    ),
    path("admin-tools/calendar/import", views.calendar_import_page, name="calendar_import"),
]
