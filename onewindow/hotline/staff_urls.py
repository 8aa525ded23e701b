from django.urls import path

from onewindow.hotline import staff_views

app_name = "hotline_staff"
urlpatterns = [
    path("", staff_views.queue, name="queue"),
    path("intake/", staff_views.intake, name="intake"),
    path("tickets/<uuid:pk>/", staff_views.ticket, name="ticket"),
    path("tickets/<uuid:pk>/dispatch/", staff_views.dispatch, name="dispatch"),
    path("tickets/<uuid:pk>/sign/", staff_views.sign, name="sign"),
    path("tickets/<uuid:pk>/return/", staff_views.return_, name="return"),
    path("tickets/<uuid:pk>/decide/", staff_views.decide, name="decide"),
    path("tickets/<uuid:pk>/redispatch/", staff_views.redispatch, name="redispatch"),
    path("tickets/<uuid:pk>/respond/", staff_views.respond, name="respond"),
    path("tickets/<uuid:pk>/opinion/", staff_views.opinion, name="opinion"),
    path("tickets/<uuid:pk>/call-back/", staff_views.call_back, name="call_back"),
    path("tickets/<uuid:pk>/merge/", staff_views.merge, name="merge"),
]
