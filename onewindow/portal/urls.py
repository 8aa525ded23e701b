from django.urls import path

from onewindow.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("search", views.search, name="search"),
    path("a11y/large-text", views.large_text, name="large_text"),
]
