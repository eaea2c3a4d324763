"""Prometheus metrics at /metrics (decision 0034): what intake took and refused, the queue, latency.

Counters and the latency histogram live in each process; under `corrigo serve` every
gunicorn worker writes them to files in PROMETHEUS_MULTIPROC_DIR (set by the command
before anything imports prometheus_client), and a scrape adds them up. The queue's depth
and failed deliveries are read from the database at scrape time, so every process tells
the same.
"""

import hmac
import ipaddress
import os
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

REPORTS_TAKEN = Counter("corrigo_reports_taken", "Reports the intake acknowledged", ["outcome"])
REPORTS_REFUSED = Counter("corrigo_reports_refused", "Reports the intake refused, by error code", ["reason"])
REQUEST_SECONDS = Histogram(
    "corrigo_request_seconds",
    "Time from the request reaching Django to its answer",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


class QueueCollector(Collector):
    """The job queue as the database holds it: jobs waiting, being retried, and dead letters."""

    def collect(self):
        from django.db.models import Count, Q

        from corrigo.jobs.models import Job, JobStatus

        waiting = GaugeMetricFamily("corrigo_queue_depth", "Jobs queued or running, by kind", labels=["kind"])
        retrying = GaugeMetricFamily(
            "corrigo_deliveries_retrying", "Queued jobs that failed at least once, by kind", labels=["kind"]
        )
        dead = GaugeMetricFamily("corrigo_delivery_failures", "Jobs that gave up (dead letters), by kind", labels=["kind"])
        rows = (
            Job.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DEAD])
            .values("kind")
            .annotate(
                open=Count("pk", filter=Q(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])),
                retry=Count("pk", filter=Q(status=JobStatus.QUEUED, attempts__gt=0)),
                dead=Count("pk", filter=Q(status=JobStatus.DEAD)),
            )
        )
        for row in rows:
            waiting.add_metric([row["kind"]], row["open"])
            retrying.add_metric([row["kind"]], row["retry"])
            dead.add_metric([row["kind"]], row["dead"])
        yield from (waiting, retrying, dead)


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return registry


_queue = QueueCollector()


def _allowed(request: HttpRequest) -> bool:
    """A scraper with the token (CORRIGO_METRICS_TOKEN), or one on an allowed network."""
    token = settings.METRICS_TOKEN
    sent = request.headers.get("Authorization", "")
    if token and sent.startswith("Bearer ") and hmac.compare_digest(sent.removeprefix("Bearer ").encode(), token.encode()):
        return True
    if "HTTP_X_FORWARDED_FOR" in request.META or "HTTP_FORWARDED" in request.META:
        return False  # through a proxy the peer is the proxy, whoever sent it: such a scraper needs the token
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(peer in network for network in settings.METRICS_NETWORKS)


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse(
            "Forbidden: send the metrics token, or scrape from an allowed network.\n", status=403, content_type="text/plain"
        )
    registry = _registry()
    body = generate_latest(registry)
    queue = CollectorRegistry()
    queue.register(_queue)
    return HttpResponse(body + generate_latest(queue), content_type=CONTENT_TYPE_LATEST)


def request_timer(get_response: Callable) -> Callable:
    """Middleware: each request's time, labelled with the URL pattern's name (a handful of values)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = get_response(request)
        match = request.resolver_match
        REQUEST_SECONDS.labels(match.view_name if match else "unmatched").observe(time.perf_counter() - started)
        return response

    return middleware


def child_exit(server, worker) -> None:
    """gunicorn hook: a worker's live gauges go with it (counters are kept)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
