from django.urls import path

from onewindow.sharing import views

app_name = "sharing_citizen"

urlpatterns = [path("", views.my_data_usage, name="my_data_usage")]
