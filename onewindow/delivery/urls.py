from django.urls import path

from onewindow.delivery import views

app_name = "delivery"
urlpatterns = [
    path("cases/<uuid:case_id>/choice/", views.delivery_choose, name="choose"),
    path("cases/<uuid:case_id>/posted-materials/", views.inbound_register, name="inbound_register"),
    path("notify/<str:courier_name>/", views.courier_notify, name="notify"),
]
