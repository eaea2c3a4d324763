"""Changes to how a site is notified, as lines of the site's log (corrigo.audit).

Webhook endpoints added, removed, re-keyed, disabled (by an admin, or by Corrigo after a
receiver's 410) and enabled again, and a member's choice of mail, are each one line,
written in the transaction of the change. The endpoint's URL is the line's subject; a
secret never is. Verbs: webhook.add, webhook.remove, webhook.rotate, webhook.disable,
webhook.enable, member.notifications.
"""

from corrigo import audit


def record(site, by, verb: str, did: str, *, subject: str = "", before: str = "", after: str = "") -> None:
    """One line: who (`by`; None is Corrigo itself) `did` what, e.g. "added the webhook …"."""
    audit.record(site, by, verb, subject=subject, before=before, after=after, message=f"{audit.name_of(by)} {did}")
