"""Webhooks: each site's endpoints hear of its events, signed (Standard Webhooks) or as Slack messages.

`standard` follows the Standard Webhooks specification: `webhook-id` is the event's id
(the same on every retry, so receivers can drop repeats), `webhook-timestamp` the Unix
second of this try, `webhook-signature` "v1,<base64 HMAC-SHA256 of id.timestamp.body>"
with the endpoint's `whsec_` secret, signed by the specification's own library
(decision 0025); after a rotation the previous secret signs too, for 24 hours. The body
is `{"type", "timestamp", "data"}`, `data` the read API's view of the case (or notice).

`slack` posts `{"text", "blocks"}` for an incoming webhook, reader text escaped (& < >)
so it can neither mention anyone (<!channel>) nor make a link.

Every POST goes through corrigo.lib.http (the endpoint's own host only, public addresses
unless CORRIGO_ALLOW_PRIVATE_HOSTS lists it, no redirects: a 3xx is a failure, 10 s in
all). A 2xx is delivered; 410 Gone disables the endpoint (an admin can enable it again);
a Retry-After header sets the next try; anything else is retried with back-off for
about a day, then kept as a dead letter the site's admins can send again.
"""

import base64
import json
import logging
import secrets
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from corrigo.jobs import queue
from corrigo.jobs.models import Job
from corrigo.lib import http
from corrigo.notify import links, sitelog, text
from corrigo.notify.events import subscriber
from corrigo.notify.models import Event, EventType, WebhookEndpoint, WebhookFormat
from corrigo.reports.models import Case
from corrigo.sites.models import Site

log = logging.getLogger("corrigo.notify")

WEBHOOK_JOB = "notify.webhook"
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
ROTATION_GRACE = timedelta(hours=24)
TIMEOUT_SECONDS = 10.0
# Corrigo reads a receiver's status and headers; a body longer than this counts as a failed answer.
ANSWER_BYTES = 1024 * 1024
MAX_ENDPOINTS_PER_SITE = 20
SLACK_QUOTE_LENGTH = 500


class EndpointError(ValueError):
    """An endpoint that cannot be added or changed; the message says why, for an admin."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def _own_host(url: str):
    """The endpoint's own scheme, host and port: the only place its deliveries may go."""
    checked = http.check_url(url)
    own = (checked.scheme, checked.host.strip("[]"), checked.port_number)
    return lambda scheme, host, port: (scheme, host, port) == own


def check_endpoint_url(url: str) -> str:
    """The URL as it will be called, or EndpointError saying why it cannot be (the SSRF rules, checked now)."""
    try:
        href = http.check_url(url).href
        http.target(href, allow=_own_host(href))
    except http.Refused as exc:
        raise EndpointError(f"Corrigo may not call this URL: {exc}.") from None
    return href


def check_events(events: list[str] | None) -> list[str]:
    chosen = list(dict.fromkeys(e.strip() for e in events or [] if e.strip()))
    unknown = [e for e in chosen if e not in EventType.values]
    if unknown:
        raise EndpointError(f"Unknown event type {unknown[0]!r}: choose among {', '.join(EventType.values)}.")
    return chosen


@transaction.atomic
def add_endpoint(site: Site, url: str, *, format: str = WebhookFormat.STANDARD, events=None, by=None):
    """A new endpoint and its secret (in clear, to show once; empty for Slack, which is not signed)."""
    if format not in WebhookFormat.values:
        raise EndpointError(f"The format is standard or slack, not {format!r}.")
    chosen = check_events(events)
    href = check_endpoint_url(url)
    if WebhookEndpoint.objects.filter(site=site).count() >= MAX_ENDPOINTS_PER_SITE:
        raise EndpointError(f"A site may have at most {MAX_ENDPOINTS_PER_SITE} webhook endpoints.")
    secret = new_secret() if format == WebhookFormat.STANDARD else ""
    endpoint = WebhookEndpoint.objects.create(site=site, url=href, format=format, events=chosen, secret=secret, created_by=by)
    heard = ", ".join(chosen) or "every event"
    sitelog.record(site, by, "webhook.add", f"added the {format} webhook {href} ({heard})", subject=href)
    return endpoint, secret


@transaction.atomic
def rotate_secret(endpoint: WebhookEndpoint, *, by=None) -> str:
    """A new secret; the old one goes on signing beside it for ROTATION_GRACE, so receivers can switch."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if endpoint.format != WebhookFormat.STANDARD:
        raise EndpointError("Slack endpoints are not signed: there is no secret to rotate.")
    secret = new_secret()
    endpoint.previous_secret, endpoint.previous_secret_until = endpoint.secret, timezone.now() + ROTATION_GRACE
    endpoint.secret = secret
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    sitelog.record(
        endpoint.site_id, by, "webhook.rotate", f"made a new secret for the webhook {endpoint.url}", subject=endpoint.url
    )
    return secret


@transaction.atomic
def set_enabled(endpoint: WebhookEndpoint, enabled: bool, reason: str = "", *, by=None) -> bool:
    """Enable or disable an endpoint (by None: Corrigo itself, after a 410); False when it already was so."""
    if enabled:
        changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, disabled_at__isnull=False).update(
            disabled_at=None, disabled_reason=""
        )
        did = f"enabled the webhook {endpoint.url}"
    else:
        changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, disabled_at__isnull=True).update(
            disabled_at=timezone.now(), disabled_reason=reason[:300]
        )
        did = f"disabled the webhook {endpoint.url}" + (f": {reason}" if reason and by is None else "")
    if changed:
        verb = "webhook.enable" if enabled else "webhook.disable"
        sitelog.record(endpoint.site_id, by, verb, did, subject=endpoint.url)
    return bool(changed)


@transaction.atomic
def remove_endpoint(endpoint: WebhookEndpoint, *, by=None) -> None:
    endpoint.delete()
    sitelog.record(endpoint.site_id, by, "webhook.remove", f"removed the webhook {endpoint.url}", subject=endpoint.url)


@subscriber
def queue_deliveries(event: Event) -> None:
    """One delivery job per endpoint of the event's site that hears of this type (in the dispatch transaction)."""
    for endpoint in WebhookEndpoint.objects.filter(site_id=event.site_id, disabled_at__isnull=True).order_by("pk"):
        if endpoint.hears(event.type):
            queue.enqueue(WEBHOOK_JOB, {"event_id": event.pk, "endpoint_id": endpoint.pk}, site_id=event.site_id)


def standard_body(event: Event) -> bytes:
    occurred = event.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return json.dumps({"type": event.type, "timestamp": occurred, "data": event.data}, separators=(",", ":")).encode()


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    keys = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_until and endpoint.previous_secret_until > now:
        keys.append(endpoint.previous_secret)
    return keys


def standard_headers(event: Event, body: bytes, keys: list[str], now: datetime) -> dict[str, str]:
    second = datetime.fromtimestamp(int(now.timestamp()), tz=UTC)
    signatures = [Webhook(key).sign(event.uid, second, body.decode()) for key in keys]
    return {
        "Content-Type": "application/json",
        "webhook-id": event.uid,
        "webhook-timestamp": str(int(second.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


SUMMARIES = {
    EventType.CASE_CREATED: "New case",
    EventType.CASE_UPDATED: "More readers reported a case",
    EventType.CASE_LOOKS_FIXED: "A case looks fixed",
    EventType.CASE_PASSAGE_GONE: "A case's passage is gone from the article",
    EventType.CASE_RESOLVED: "A case was resolved",
    EventType.NOTICE_PUBLISHED: "A correction notice was published",
}


def slack_body(event: Event) -> bytes:
    """`{"text", "blocks"}` for a Slack incoming webhook: every reader's and editor's word escaped."""
    site = text.slack(event.site.name)
    summary = SUMMARIES[EventType(event.type)]
    lines, link = [], None
    case_data = event.data.get("case")
    if case_data:
        case = Case.objects.filter(pk=case_data["id"]).first()
        first = case.reports.order_by("created_at", "pk").first() if case else None
        status = case_data.get("status", "")
        if event.type == EventType.CASE_RESOLVED and status:
            summary = f"{summary}: {status.replace('_', ' ')}"
        article = case_data.get("article") or {}
        lines.append(f"*{text.slack(text.one_line(article.get('title') or article.get('url'), 200))}*")
        quote = case_data.get("quote")
        if quote:
            lines.append("> " + text.slack(text.one_line(quote.get("exact"), SLACK_QUOTE_LENGTH)))
        if first is not None and first.suggestion:
            lines.append("Suggested: " + text.slack(text.one_line(first.suggestion, SLACK_QUOTE_LENGTH)))
        elif first is not None and first.comment and not quote:
            lines.append("Comment: " + text.slack(text.one_line(first.comment, SLACK_QUOTE_LENGTH)))
        lines.append(f"Readers: {int(case_data.get('reader_count') or 0)}")
        link = links.case_link(case_data["id"])
    notice = event.data.get("notice")
    if isinstance(notice, dict):
        if notice.get("text"):
            lines.append("> " + text.slack(text.one_line(str(notice["text"]), SLACK_QUOTE_LENGTH)))
        if isinstance(notice.get("url"), str) and notice["url"].startswith(("http://", "https://")):
            link = notice["url"]
    headline = f"{summary} on {site}"
    if link:
        headline += f" · <{text.slack(link)}|open>"
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": headline}}]
    if lines:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}})
    return json.dumps({"text": f"{summary} on {site}", "blocks": blocks}, separators=(",", ":")).encode()


def retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from a Retry-After header (a number of seconds, or an HTTP date); None when absent or unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        return float(min(int(value[:9]), 10**8))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


@queue.handler(WEBHOOK_JOB)
def deliver(job: Job) -> None:
    endpoint = WebhookEndpoint.objects.select_related("site").filter(pk=job.payload["endpoint_id"]).first()
    if endpoint is None:
        return  # removed since: nobody to deliver to
    if endpoint.disabled_at is not None:
        raise queue.GiveUp(f"the endpoint is disabled ({endpoint.disabled_reason or 'by an admin'})")
    event = Event.objects.select_related("site").filter(pk=job.payload["event_id"]).first()
    if event is None:
        return
    now = timezone.now()
    if endpoint.format == WebhookFormat.SLACK:
        body, headers = slack_body(event), {"Content-Type": "application/json"}
    else:
        body = standard_body(event)
        headers = standard_headers(event, body, signing_secrets(endpoint, now), now)
    try:
        answer = http.request(
            "POST",
            endpoint.url,
            allow=_own_host(endpoint.url),
            body=body,
            headers=headers,
            timeout=TIMEOUT_SECONDS,
            max_redirects=0,
            max_bytes=ANSWER_BYTES,
        )
    except http.Refused as exc:
        raise queue.RetryLater(f"not sent: {exc}") from None
    except http.FetchFailed as exc:
        raise queue.RetryLater(f"no answer: {exc}") from None
    if 200 <= answer.status < 300:
        return
    if answer.status == 410:
        set_enabled(endpoint, False, "the receiver answered 410 Gone")
        log.warning("webhook endpoint %s answered 410 Gone: disabled", endpoint.pk)
        raise queue.GiveUp("the receiver answered 410 Gone: the endpoint is disabled")
    wait = retry_after(answer.headers.get("retry-after"), now)
    kind = "a redirect (not followed)" if 300 <= answer.status < 400 else "an error"
    raise queue.RetryLater(f"the receiver answered {answer.status}, {kind}", after=wait)
