"""How notices reach the notify channels: what a notice event says, and the notice a thank-you mentions."""

from django.urls import reverse

from corrigo.corrections.models import CorrectionNotice
from corrigo.corrections.strings import kind_label
from corrigo.notify import links
from corrigo.notify.events import describer
from corrigo.notify.thanks import Notice, notice_finder
from corrigo.reports.models import Case
from corrigo.reports.schemas import NoticeOut


def public_link(notice: CorrectionNotice) -> str:
    """The notice on its site's public corrections page."""
    return links.absolute(reverse("corrections:page", args=[notice.site.key])) + f"#notice-{notice.pk}"


@describer("notice")
def notice_event(payload: dict) -> dict | None:
    notice = CorrectionNotice.objects.select_related("article", "site").filter(pk=payload["notice_id"]).first()
    if notice is None:
        return None
    data = NoticeOut.model_validate(notice).model_dump()
    data |= {"url": public_link(notice), "case_ids": sorted(notice.cases.values_list("pk", flat=True))}
    return {"notice": data}


@notice_finder
def newest_notice(case: Case) -> Notice | None:
    """The case's newest live notice, as the reader's thank-you tells of it (in the site's language)."""
    notice = case.notices.live().select_related("site").order_by("-published_at", "-pk").first()
    if notice is None:
        return None
    return Notice(kind=kind_label(notice.kind, notice.language), text=notice.text, url=public_link(notice))
