from django.urls import path

from onewindow.catalogue import staff_views as views

app_name = "catalogue_staff"
urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("new", views.item_create, name="item_create"),
    path("review", views.review_queue, name="review_queue"),
    path("items/<uuid:item_id>", views.item_detail, name="item_detail"),
    path("items/<uuid:item_id>/new-version", views.version_new, name="version_new"),
    path("versions/<uuid:version_id>", views.version_detail, name="version_detail"),
    path("versions/<uuid:version_id>/edit", views.version_edit, name="version_edit"),
    path("versions/<uuid:version_id>/form-preview", views.form_preview, name="form_preview"),
    path("versions/<uuid:version_id>/review", views.version_review, name="version_review"),
]
