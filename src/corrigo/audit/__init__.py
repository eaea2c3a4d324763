"""The site log: every change on a site, in words, written in the transaction of the change.

One table (`audit.Entry`) holds the log of every site: case outcomes, assignments, notes,
merges, site settings, allowed origins, members and roles, API tokens — and, as their
parts arrive, correction notices and webhooks. The desk shows it per site (searchable,
exportable as CSV) and per case (the case's timeline). Nothing edits or deletes a line:
the model refuses it, the admin shows the log read-only, and the desk has no such view.

Every part of Corrigo records a change the same way, inside the transaction that makes it,
so the change and its line are committed together or not at all:

    from corrigo import audit

    with transaction.atomic():
        notice = CorrectionNotice.objects.create(...)
        audit.record(site, by, "notice.publish", case=case, subject=notice.kind,
                     message=f"{audit.name_of(by)} published a correction on case {case.pk}")

- `by` is who did it: a `User` (the desk, the CLI with --as), an `ApiToken` (the case
  actions and publisher APIs: the log then names the token), or None (Corrigo itself).
- `verb` is "<kind>.<what>": the kind (case, notice, site, origin, member, token, webhook)
  is what the log page filters by. Known verbs are phrased by corrigo.audit.words;
  a new verb passes its own `message` (notices: "notice.publish", "notice.withdraw";
  webhooks: "webhook.add", "webhook.remove", "webhook.disable" with the endpoint URL as
  `subject` and never its secret).
- `case` links the line into a case's timeline; `before`/`after` keep the values a
  change replaced (undo reads them); `text` keeps what someone wrote (a note).
- `batch` groups the lines of one action (a bulk outcome writes one line per case).
"""

from uuid import uuid4


def new_batch() -> str:
    return uuid4().hex


def name_of(actor) -> str:
    """How the log names who acted: the user name, the API token by name and hint, or Corrigo."""
    from corrigo.sites.models import ApiToken

    if actor is None:
        return "Corrigo"
    if isinstance(actor, ApiToken):
        return f"API token “{actor.name}” ({actor.hint}…)" if actor.name else f"API token {actor.hint}…"
    return actor.get_username()


def entry(site, actor, verb: str, *, message: str = "", batch: str = "", data=None, **fields):
    """An unsaved log line (record() saves one; record_many() saves many at once)."""
    from corrigo.audit.models import Entry
    from corrigo.audit.words import sentence
    from corrigo.sites.models import ApiToken

    token = actor if isinstance(actor, ApiToken) else None
    user = None if token is not None else actor
    site_id = site if isinstance(site, int) else site.pk
    case = fields.pop("case", None)
    related = fields.pop("related_case", None)
    fields = {key: "" if value is None else str(value) for key, value in fields.items()}
    who = name_of(actor)
    if not message:
        message = sentence(
            verb,
            who,
            case_id=getattr(case, "pk", case),
            other_case_id=getattr(related, "pk", related),
            subject=fields.get("subject", ""),
            before=fields.get("before", ""),
            after=fields.get("after", ""),
        )
    return Entry(
        site_id=site_id,
        actor=user,
        token=token,
        actor_name=who[:200],
        verb=verb,
        case_id=getattr(case, "pk", case),
        related_case_id=getattr(related, "pk", related),
        message=message,
        batch=batch,
        data=data or {},
        **fields,
    )


def record(site, actor, verb: str, **fields):
    """Write one line of the site's log. Call it inside the transaction of the change."""
    line = entry(site, actor, verb, **fields)
    line.save()
    return line


def record_many(lines) -> int:
    """Write many lines made by entry() in a few statements (a bulk action's lines)."""
    from corrigo.audit.models import Entry

    lines = list(lines)
    Entry.objects.bulk_create(lines, batch_size=500)
    return len(lines)
