from django.urls import path

from onewindow.queueing import views

app_name = "queueing"
urlpatterns = [
    path("centres/<uuid:centre_id>/take/", views.ticket_take, name="take"),
    path("centres/<uuid:centre_id>/screen/", views.hall_screen, name="screen"),
    path("centres/<uuid:centre_id>/screen/board/", views.hall_board, name="board"),
    path("tickets/<uuid:ticket_id>/", views.ticket_detail, name="ticket"),
]
