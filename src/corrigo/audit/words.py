"""The site log's sentences: each kind of change said one way, in the newsroom's words."""

from corrigo.reports.models import CaseStatus
from corrigo.sites.models import Role

SETTING_NAMES = {
    "name": "site name",
    "article_selector": "article selector",
    "ignore_selectors": "ignored blocks",
    "default_language": "default language",
    "fetch_articles": "fetching of article pages",
    "sla_fact_hours": "answer time for factual errors",
    "sla_typo_hours": "answer time for typos",
    "sla_other_hours": "answer time for other reports",
    "corrections_policy": "corrections policy",
    "reports_per_client_minute": "reports a reader may send a minute",
    "reports_per_client_hour": "reports a reader may send an hour",
    "reports_per_site_minute": "reports the site takes a minute",
    "challenge": "proof of work",
}


def _status(value: str) -> str:
    return CaseStatus(value).label.lower() if value in CaseStatus.values else value


def _role(value: str) -> str:
    return Role(value).label.lower() if value in Role.values else value


def _quoted(value: str) -> str:
    return f"“{value}”" if value else "nothing"


def sentence(verb: str, actor: str, *, case_id=None, other_case_id=None, subject="", before="", after="") -> str:
    """The change in words, e.g. "mira marked case 12 as not an error"."""
    case = f"case {case_id}"
    other = f"case {other_case_id}"
    match verb:
        case "case.status" if after == CaseStatus.OPEN:
            return f"{actor} reopened {case}"
        case "case.status":
            return f"{actor} marked {case} as {_status(after)}"
        case "case.assign" if after:
            return f"{actor} assigned {case} to {after}"
        case "case.assign":
            return f"{actor} took {case} back from {before}" if before else f"{actor} unassigned {case}"
        case "case.note":
            return f"{actor} added a note to {case}"
        case "case.merge":
            return f"{actor} merged {case} into {other}" + (f" ({subject})" if subject else "")
        case "case.unmerge":
            return f"{actor} unmerged {case} from {other}" + (f" ({subject})" if subject else "")
        case "site.setting":
            name = SETTING_NAMES.get(subject, subject)
            return f"{actor} changed the {name} from {_quoted(before)} to {_quoted(after)}"
        case "origin.add":
            return f"{actor} added {subject} to the allowed origins"
        case "origin.remove":
            return f"{actor} removed {subject} from the allowed origins"
        case "member.add" if before:
            return f"{actor} made {subject} {_role(after)} (was {_role(before)})"
        case "member.add":
            return f"{actor} added {subject} as {_role(after)}"
        case "member.role":
            return f"{actor} changed {subject}'s role from {_role(before)} to {_role(after)}"
        case "member.remove":
            return f"{actor} removed {subject} from the site (was {_role(before)})"
        case "token.create":
            return f"{actor} created the API token {subject}"
        case "token.revoke":
            return f"{actor} revoked the API token {subject}"
    return " ".join(part for part in (actor, verb, subject) if part)
