from django.urls import path

from onewindow.proactive import views

app_name = "proactive"

urlpatterns = [
    path("due/", views.due, name="due"),
    path("due/preferences/<slug:kind>/", views.preference, name="preference"),
    path("due/<uuid:recommendation_id>/dismiss/", views.dismiss, name="dismiss"),
]
