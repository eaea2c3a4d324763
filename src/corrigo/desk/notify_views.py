"""The desk's notification pages: a member's own mail settings; a site admin's webhooks, dead letters and mailbox.

Views stay thin: the rules are in corrigo.notify (editors, webhooks) and corrigo.jobs.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from corrigo.desk.access import roles_of, site_view
from corrigo.jobs import queue
from corrigo.jobs.models import Job, JobStatus
from corrigo.notify import editors, webhooks
from corrigo.notify.events import DISPATCH
from corrigo.notify.forms import EmailAddressForm, SiteMailForm, WebhookForm
from corrigo.notify.mail import MAIL_JOB, smtp_configured
from corrigo.notify.models import Event, EventType, Mail, MailStatus, WebhookEndpoint
from corrigo.sites.models import Role, Site

MAILBOX_PAGE = 50
DEAD_LETTERS_SHOWN = 100
# The mailbox shows a mail's HTML part on its own, with nothing in it allowed to run or load.
MAIL_HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; base-uri 'none'; form-action 'none'"


# ---- a member's own mail ------------------------------------------------------


def _site_forms(request, sites, data=None):
    forms = []
    for site in sites:
        choice, language = editors.choice_of(request.user, site)
        form = SiteMailForm(data, prefix=f"site-{site.pk}", initial={"email": choice, "language": language})
        forms.append((site, form))
    return forms


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def notifications(request):
    """Your address and, per site, every new case at once / a daily digest / nothing."""
    sites = list(Site.objects.filter(pk__in=list(roles_of(request))).order_by("name"))
    if request.method == "POST":
        address_form = EmailAddressForm(request.POST)
        site_forms = _site_forms(request, sites, request.POST)
        if address_form.is_valid() and all(form.is_valid() for _, form in site_forms):
            with transaction.atomic():
                request.user.email = address_form.cleaned_data["email"]
                request.user.save(update_fields=["email"])
                for site, form in site_forms:
                    editors.set_choice(
                        request.user, site, form.cleaned_data["email"], form.cleaned_data["language"], by=request.user
                    )
            messages.success(request, "Notification settings saved.")
            return redirect("desk:notifications")
        status = 400
    else:
        address_form = EmailAddressForm(initial={"email": request.user.email})
        site_forms = _site_forms(request, sites)
        status = 200
    context = {"address_form": address_form, "site_forms": site_forms, "smtp": smtp_configured()}
    return render(request, "desk/notify/notifications.html", context, status=status)


# ---- webhooks (admins) ----------------------------------------------------------


def _webhooks_page(request, site, form=None, new_secret=None, status=200):
    context = {
        "site": site,
        "form": form or WebhookForm(),
        "endpoints": WebhookEndpoint.objects.filter(site=site).order_by("pk"),
        "new_secret": new_secret,
        "event_types": EventType.choices,
    }
    response = render(request, "desk/notify/webhooks.html", context, status=status)
    if new_secret:
        response["Cache-Control"] = "no-store"  # the secret is shown in this answer only
    return response


@require_safe
@site_view(Role.ADMIN)
def webhook_list(request, site):
    return _webhooks_page(request, site)


@require_POST
@site_view(Role.ADMIN)
def webhook_add(request, site):
    form = WebhookForm(request.POST)
    if not form.is_valid():
        return _webhooks_page(request, site, form=form, status=400)
    try:
        endpoint, secret = webhooks.add_endpoint(
            site,
            form.cleaned_data["url"],
            format=form.cleaned_data["format"],
            events=form.cleaned_data["events"],
            by=request.user,
        )
    except webhooks.EndpointError as error:
        form.add_error(None, str(error))
        return _webhooks_page(request, site, form=form, status=400)
    messages.success(request, f"Webhook added: {endpoint.url}")
    return _webhooks_page(request, site, new_secret=secret or None)


def _endpoint(site, endpoint_id: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(site=site, pk=endpoint_id).first()
    if endpoint is None:
        raise Http404("No such webhook endpoint.")
    return endpoint


@require_POST
@site_view(Role.ADMIN)
def webhook_rotate(request, site, endpoint_id: int):
    endpoint = _endpoint(site, endpoint_id)
    try:
        secret = webhooks.rotate_secret(endpoint, by=request.user)
    except webhooks.EndpointError as error:
        messages.error(request, str(error))
        return redirect("desk:webhooks", site.key)
    messages.success(request, "New secret made: the old one keeps signing beside it for 24 hours.")
    return _webhooks_page(request, site, new_secret=secret)


@require_POST
@site_view(Role.ADMIN)
def webhook_enable(request, site, endpoint_id: int):
    endpoint = _endpoint(site, endpoint_id)
    enable = request.POST.get("enabled") == "1"
    if webhooks.set_enabled(endpoint, enable, f"by {request.user.get_username()}", by=request.user):
        messages.success(request, f"{endpoint.url} {'enabled' if enable else 'disabled'}.")
    return redirect("desk:webhooks", site.key)


@require_POST
@site_view(Role.ADMIN)
def webhook_remove(request, site, endpoint_id: int):
    endpoint = _endpoint(site, endpoint_id)
    webhooks.remove_endpoint(endpoint, by=request.user)
    messages.success(request, f"Webhook removed: {endpoint.url}")
    return redirect("desk:webhooks", site.key)


# ---- dead letters (admins) ------------------------------------------------------


def describe_job(job: Job, endpoints: dict[int, WebhookEndpoint], events: dict[int, Event], mails: dict[int, Mail]) -> str:
    """What a job was for, in words an admin knows."""
    payload = job.payload or {}
    if job.kind == webhooks.WEBHOOK_JOB:
        endpoint, event = endpoints.get(payload.get("endpoint_id")), events.get(payload.get("event_id"))
        what = EventType(event.type).label if event else "an event"
        return f"{what} to {endpoint.url if endpoint else 'a removed endpoint'}"
    if job.kind == MAIL_JOB:
        mail = mails.get(payload.get("mail_id"))
        return f"mail “{mail.subject}” ({mail.get_kind_display().lower()})" if mail else "a removed mail"
    if job.kind == DISPATCH:
        what = EventType(payload["type"]).label if payload.get("type") in EventType.values else "An event"
        return f"{what} (finding who hears of it)"
    return job.kind


def _referred(jobs: list[Job], name: str) -> list[int]:
    """The ids the jobs' payloads give under `name` (an endpoint, an event, a mail)."""
    return list({job.payload[name] for job in jobs if isinstance(job.payload, dict) and isinstance(job.payload.get(name), int)})


@require_safe
@site_view(Role.ADMIN)
def dead_letters(request, site):
    jobs = list(Job.objects.filter(site=site).filter(status=JobStatus.DEAD).order_by("-finished_at", "-pk")[:DEAD_LETTERS_SHOWN])
    retrying = list(
        Job.objects.filter(site=site, status=JobStatus.QUEUED, attempts__gt=0).order_by("run_after")[:DEAD_LETTERS_SHOWN]
    )
    everything = jobs + retrying
    endpoints = WebhookEndpoint.objects.in_bulk(_referred(everything, "endpoint_id"))
    events = Event.objects.in_bulk(_referred(everything, "event_id"))
    mails = Mail.objects.in_bulk(_referred(everything, "mail_id"))
    for job in everything:
        job.description = describe_job(job, endpoints, events, mails)
    return render(request, "desk/notify/dead_letters.html", {"site": site, "jobs": jobs, "retrying": retrying})


@require_POST
@site_view(Role.ADMIN)
def send_again(request, site, job_id: int):
    job = Job.objects.filter(site=site, pk=job_id).first()
    if job is None:
        raise Http404("No such delivery.")
    if queue.send_again(job):
        messages.success(request, "Queued again: the worker tries it now, then with back-off for about a day.")
    else:
        messages.error(request, "That delivery is not a dead letter any more.")
    return redirect("desk:dead-letters", site.key)


# ---- the mailbox (admins) ---------------------------------------------------------


@require_safe
@site_view(Role.ADMIN)
def mailbox(request, site):
    mails = Mail.objects.filter(site=site, status=MailStatus.KEPT).order_by("-pk")[:MAILBOX_PAGE]
    return render(request, "desk/notify/mailbox.html", {"site": site, "mails": mails, "smtp": smtp_configured()})


def _kept(site, mail_id: int) -> Mail:
    mail = Mail.objects.filter(site=site, pk=mail_id, status=MailStatus.KEPT).first()
    if mail is None:
        raise Http404("No such mail in the mailbox.")
    return mail


@require_safe
@site_view(Role.ADMIN)
def mailbox_mail(request, site, mail_id: int):
    return render(request, "desk/notify/mail.html", {"site": site, "mail": _kept(site, mail_id)})


@require_safe
@site_view(Role.ADMIN)
def mailbox_html(request, site, mail_id: int):
    response = HttpResponse(_kept(site, mail_id).html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = MAIL_HTML_POLICY
    return response
