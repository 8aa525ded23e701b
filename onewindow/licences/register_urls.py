from django.urls import path

from onewindow.licences import register_views

app_name = "decisions"
urlpatterns = [path("", register_views.decision_register, name="register")]
