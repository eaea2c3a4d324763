from django.urls import path

from corrigo.demo import views

app_name = "demo"
urlpatterns = [path("", views.home, name="home")]
