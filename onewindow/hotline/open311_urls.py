from django.urls import path

from onewindow.hotline import open311

app_name = "open311"
urlpatterns = [
    path("services.<str:fmt>", open311.services, name="services"),
    path("services/<str:code>.<str:fmt>", open311.service_definition, name="service"),
    path("requests.<str:fmt>", open311.requests, name="requests"),
    path("requests/<str:number>.<str:fmt>", open311.request_detail, name="request"),
]
