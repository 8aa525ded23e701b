from django.urls import path

from onewindow.opendata import views

app_name = "opendata"

urlpatterns = [
    path("", views.home, name="home"),
    path("catalog.ttl", views.catalog_ttl, name="catalog_ttl"),
    path("catalog.jsonld", views.catalog_jsonld, name="catalog_jsonld"),
    path("<slug:slug>/", views.dataset, name="dataset"),
    path("<slug:slug>.csv", views.download_csv, name="download_csv"),
    path("<slug:slug>.json", views.download_json, name="download_json"),
]
