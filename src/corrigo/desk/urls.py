"""The desk's addresses, under /desk/."""

from django.contrib.auth import views as auth_views
from django.urls import path, register_converter, reverse_lazy

from corrigo.desk import notice_views, notify_views, views
from corrigo.sql import ROW_ID


class RowIdConverter:
    """A row id in a path: up to 18 ASCII digits, so any match fits a 64-bit column."""

    regex = ROW_ID

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


# A longer number is no row of ours: it gets a 404 from the resolver, not an overflow in the database.
register_converter(RowIdConverter, "id")

app_name = "desk"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="desk/login.html", redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="desk/password_change.html", success_url=reverse_lazy("desk:password-changed")
        ),
        name="password-change",
    ),
    path(
        "password/changed/",
        auth_views.PasswordChangeDoneView.as_view(template_name="desk/password_changed.html"),
        name="password-changed",
    ),
    path("", views.queue, name="queue"),
    path("cases.csv", views.export_csv, name="export"),
    path("cases/bulk/", views.bulk_resolve, name="bulk"),
    path("cases/<id:pk>/", views.case_detail, name="case"),
    path("cases/<id:pk>/resolve/", views.resolve, name="resolve"),
    path("cases/<id:pk>/reopen/", views.reopen, name="reopen"),
    path("cases/<id:pk>/assign/", views.assign, name="assign"),
    path("cases/<id:pk>/note/", views.add_note, name="note"),
    path("cases/<id:pk>/merge/", views.merge, name="merge"),
    path("cases/<id:pk>/unmerge/", views.unmerge, name="unmerge"),
    path("cases/<id:pk>/fix-with-notice/", notice_views.fix_with_notice, name="fix-with-notice"),
    path("notices/<id:notice_id>/edit/", notice_views.edit_notice, name="notice-edit"),
    path("notices/<id:notice_id>/withdraw/", notice_views.withdraw_notice, name="notice-withdraw"),
    path("cases/<id:pk>/check/", views.check_article, name="check"),
    path("undo/", views.undo, name="undo"),
    path("filters/", views.save_filter, name="filter-save"),
    path("filters/<id:filter_id>/delete/", views.delete_filter, name="filter-delete"),
    path("log/", views.pick_site, {"purpose": "log"}, name="log-pick"),
    path("metrics/", views.pick_site, {"purpose": "metrics"}, name="metrics-pick"),
    path("sites/", views.my_sites, name="sites"),
    path("sites/<slug:key>/", views.site_settings, name="site-settings"),
    path("sites/<slug:key>/site/", views.save_site, name="site-save"),
    path("sites/<slug:key>/origins/", views.save_origins, name="site-origins"),
    path("sites/<slug:key>/members/", views.add_member, name="member-add"),
    path("sites/<slug:key>/members/<id:user_id>/role/", views.change_role, name="member-role"),
    path("sites/<slug:key>/members/<id:user_id>/remove/", views.remove_member, name="member-remove"),
    path("sites/<slug:key>/tokens/", views.new_token, name="token-new"),
    path("sites/<slug:key>/tokens/<id:token_id>/revoke/", views.revoke_token, name="token-revoke"),
    path("sites/<slug:key>/log/", views.site_log, name="site-log"),
    path("sites/<slug:key>/log.csv", views.site_log_csv, name="site-log-csv"),
    path("sites/<slug:key>/metrics/", views.site_metrics, name="site-metrics"),
    path("sites/<slug:key>/metrics.csv", views.site_metrics_csv, name="site-metrics-csv"),
    # Notifications (corrigo.notify): your mail, a site's webhooks, dead letters and mailbox.
    path("notifications/", notify_views.notifications, name="notifications"),
    path("sites/<slug:key>/webhooks/", notify_views.webhook_list, name="webhooks"),
    path("sites/<slug:key>/webhooks/add/", notify_views.webhook_add, name="webhook-add"),
    path("sites/<slug:key>/webhooks/<id:endpoint_id>/rotate/", notify_views.webhook_rotate, name="webhook-rotate"),
    path("sites/<slug:key>/webhooks/<id:endpoint_id>/enable/", notify_views.webhook_enable, name="webhook-enable"),
    path("sites/<slug:key>/webhooks/<id:endpoint_id>/remove/", notify_views.webhook_remove, name="webhook-remove"),
    path("sites/<slug:key>/dead-letters/", notify_views.dead_letters, name="dead-letters"),
    path("sites/<slug:key>/dead-letters/<id:job_id>/send-again/", notify_views.send_again, name="send-again"),
    path("sites/<slug:key>/mailbox/", notify_views.mailbox, name="mailbox"),
    path("sites/<slug:key>/mailbox/<id:mail_id>/", notify_views.mailbox_mail, name="mailbox-mail"),
    path("sites/<slug:key>/mailbox/<id:mail_id>/html/", notify_views.mailbox_html, name="mailbox-html"),
]
