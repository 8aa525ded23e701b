from django.urls import path

from onewindow.ratings import staff_views

app_name = "ratings_staff"
urlpatterns = [
    path("", staff_views.rectification_list, name="list"),
    path("supervision/", staff_views.supervision, name="supervision"),
    path("<uuid:rectification_id>/", staff_views.rectification_detail, name="detail"),
    path("<uuid:rectification_id>/contact/", staff_views.rectification_contact, name="contact"),
    path("<uuid:rectification_id>/callback/", staff_views.rectification_callback, name="callback"),
    path("<uuid:rectification_id>/resolve/", staff_views.rectification_resolve, name="resolve"),
    path("<uuid:rectification_id>/appeal/", staff_views.rectification_appeal, name="appeal"),
    path("<uuid:rectification_id>/review/", staff_views.rectification_review, name="review"),
]
