"""我的账户 pages under /accounts/ (namespace ``identity``)."""

from django.urls import path

from onewindow.identity import views_profile, views_representation

urlpatterns = [
    path("", views_profile.account, name="account"),
    path("verify/", views_profile.verify, name="verify"),
    path("companies/", views_profile.companies, name="companies"),
    path("companies/<uuid:company_id>/agents/", views_profile.agents, name="agents"),
    path("agents/<uuid:agency_id>/revoke/", views_profile.agent_revoke, name="agent_revoke"),
    path("acting-for/", views_profile.act_for, name="act_for"),
    path("representatives/", views_representation.representatives, name="representatives"),
    path(
        "representatives/<uuid:agency_id>/revoke/",
        views_representation.representative_revoke,
        name="representative_revoke",
    ),
    path("acting-for-person/", views_representation.act_for_person, name="act_for_person"),
    path("my-data/export/", views_profile.data_export, name="data_export"),
    path("my-data/views/", views_profile.data_views, name="data_views"),
]
