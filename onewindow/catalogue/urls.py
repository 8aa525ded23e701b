from django.urls import path

from onewindow.catalogue import list_views, views

app_name = "catalogue"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("departments/<uuid:department_id>/", views.department, name="department"),
    path("themes/<slug:code>/", views.theme, name="theme"),
    path("regions/<str:code>/", views.region, name="region"),
    path("items/<str:code>/", views.item_detail, name="item"),
    path("items/<str:code>/guide.pdf", views.item_guide_pdf, name="item_guide_pdf"),
    path("items/<str:code>/form/", views.item_form, name="item_form"),
    path("items/<str:code>/form/filled.pdf", views.item_form_filled_pdf, name="item_form_filled_pdf"),
    path(
        "items/<str:code>/form/blank.pdf", views.item_form_pdf, {"mode": "blank"}, name="item_form_blank_pdf"
    ),
    path(
        "items/<str:code>/form/sample.pdf",
        views.item_form_pdf,
        {"mode": "sample"},
        name="item_form_sample_pdf",
    ),
    path(
        "items/<str:code>/result-sample",
        views.item_file,
        {"what": "result-sample"},
        name="item_result_sample",
    ),
    path(
        "items/<str:code>/materials/<slug:key>/blank-form",
        views.item_file,
        {"what": "blank"},
        name="material_blank_form",
    ),
    path(
        "items/<str:code>/materials/<slug:key>/sample",
        views.item_file,
        {"what": "sample"},
        name="material_sample",
    ),
    path("life-events/", views.bundle_list, name="bundles"),
    path("life-events/<slug:code>/", views.bundle_detail, name="bundle"),
    path("lists/power/", list_views.item_type_list, {"kind": "power"}, name="power_list"),
    path(
        "lists/public-services/",
        list_views.item_type_list,
        {"kind": "public-services"},
        name="public_service_list",
    ),
    path("lists/negative/", list_views.negative_list, name="negative_list"),
    path("lists/intermediaries/", list_views.intermediaries, name="intermediaries"),
]
