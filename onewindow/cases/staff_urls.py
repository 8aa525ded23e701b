"""Workbench pages for cases: the department queue, pre-review, acceptance, walk-in filing, the clock."""

from django.urls import path

from onewindow.cases import pledge_views, staff_views, walk_in_views

app_name = "cases_staff"
urlpatterns = [
    path("", staff_views.case_queue, name="queue"),
    path("walk-in/", walk_in_views.walk_in, name="walk_in"),
    path("pledge-checks/", pledge_views.pledge_checks, name="pledge_checks"),
    path(
        "pledge-checks/<uuid:check_id>/<slug:outcome>/",
        pledge_views.pledge_check_action,
        name="pledge_check_action",
    ),
    path("<uuid:case_id>/", staff_views.case_detail, name="case_detail"),
    path("<uuid:case_id>/notices/<slug:kind>.pdf", staff_views.case_notice, name="case_notice"),
    path("<uuid:case_id>/<slug:action>/", staff_views.case_action, name="case_action"),
]
