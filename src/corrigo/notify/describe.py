"""What an event's data says: the thing it is about, in the read API's own shape."""

from corrigo.notify.events import describer
from corrigo.reports.api import case_json
from corrigo.reports.models import Case


@describer("case")
def case_event(payload: dict) -> dict | None:
    case = Case.objects.select_related("article", "assignee").filter(pk=payload["case_id"]).first()
    if case is None:
        return None
    return {"case": case_json(case)}
