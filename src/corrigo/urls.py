from django.contrib import admin
from django.urls import include, path

from corrigo.api import api
from corrigo.monitoring import metrics_view
from corrigo.widget import views as widget

urlpatterns = [
    path("api/v1/", api.urls),
    path("metrics", metrics_view, name="metrics"),
    path("widget.js", widget.serve, {"name": "widget.js"}, name="widget"),
    path("widget/<str:name>", widget.serve, name="widget-file"),
    path("desk/", include("corrigo.desk.urls")),
    path("notify/", include("corrigo.notify.urls")),
    path("corrections/", include("corrigo.corrections.urls")),
    path("admin/", admin.site.urls),
    path("", include("corrigo.demo.urls")),
]

handler400 = "corrigo.api.bad_request"
handler404 = "corrigo.api.not_found"
handler500 = "corrigo.api.server_error"
