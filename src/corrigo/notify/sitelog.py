"""Changes to how a site is notified, as lines of the site's log (corrigo.audit).

Webhook endpoints added, removed, re-keyed, disabled (by an admin, or by a receiver's
410) and enabled again, and a member's choice of mail, are each one line, written in the
transaction of the change. The endpoint's URL is the line's subject; a secret never is.
Verbs: webhook.add, webhook.remove, webhook.rotate, webhook.disable, webhook.enable,
member.notifications.
"""


def _who(by) -> str:
    from corrigo import audit

    return audit.name_of(by)


def record(site, by, verb: str, did: str, *, subject: str = "", before: str = "", after: str = "") -> None:
    """One line: who (`by`; None is Corrigo itself) `did` what, e.g. "added the webhook …"."""
    try:
        from corrigo import audit
    except ImportError:  # the site log arrives with the desk's work; until then there is no log to write
        return
    audit.record(site, by, verb, subject=subject, before=before, after=after, message=f"{_who(by)} {did}")
