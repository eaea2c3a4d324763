"""The public corrections surfaces, under /corrections/<site>/."""

from django.urls import path

from corrigo.corrections import views

app_name = "corrections"
urlpatterns = [
    path("<slug:key>/", views.page, name="page"),
    path("<slug:key>/feed.atom", views.feed_atom, name="feed-atom"),
    path("<slug:key>/feed.json", views.feed_json, name="feed-json"),
    path("<slug:key>/fragment", views.fragment, name="fragment"),
]
