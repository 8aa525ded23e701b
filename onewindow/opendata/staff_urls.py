from django.urls import path

from onewindow.opendata import views

app_name = "opendata_staff"

urlpatterns = [
    path("", views.staff_list, name="list"),
    path("<slug:slug>/", views.staff_review, name="review"),
]
