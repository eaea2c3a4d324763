"""Public links in mail: a member's one-click unsubscribe, a reader's opt-out."""

from django.urls import path

from corrigo.notify import views

app_name = "notify"
urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("opt-out/<str:token>/", views.opt_out, name="opt-out"),
]
