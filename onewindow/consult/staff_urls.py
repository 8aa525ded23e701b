from django.urls import path

from onewindow.consult import staff_views

app_name = "consult_staff"
urlpatterns = [
    path("", staff_views.inbox, name="inbox"),
    path("questions/<uuid:pk>/", staff_views.question, name="question"),
    path("questions/<uuid:pk>/answer/", staff_views.answer, name="answer"),
    path("questions/<uuid:pk>/review/", staff_views.review, name="review"),
    path("complaints/<uuid:pk>/", staff_views.complaint, name="complaint"),
    path("complaints/<uuid:pk>/conclude/", staff_views.conclude, name="conclude"),
]
