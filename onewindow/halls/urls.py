from django.urls import path

from onewindow.halls import views

app_name = "halls"
urlpatterns = [
    path("", views.centre_list, name="centres"),
    path("<uuid:centre_id>/", views.centre_detail, name="centre"),
]
