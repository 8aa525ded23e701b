from django.urls import path

from onewindow.hotline import views

app_name = "hotline"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.ticket_new, name="new"),
    path("mine/", views.my_tickets, name="mine"),
    path("statistics/", views.statistics, name="statistics"),
    path("<uuid:pk>/", views.ticket_detail, name="ticket"),
    path("<uuid:pk>/rate/", views.ticket_rate, name="rate"),
]
