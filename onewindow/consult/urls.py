from django.urls import path

from onewindow.consult import views

app_name = "consult"
urlpatterns = [
    path("ask/", views.ask, name="ask"),
    path("mine/", views.mine, name="mine"),
    path("questions/<uuid:pk>/", views.question, name="question"),
    path("questions/<uuid:pk>/rate/", views.rate, name="rate"),
    path("complain/", views.complain, name="complain"),
]
