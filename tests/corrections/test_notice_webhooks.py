"""A published notice reaches webhook endpoints: the notice in the API's shape, with its public link."""

import json

from corrigo.corrections import services
from corrigo.notify import webhooks
from tests.desk.conftest import case_about
from tests.notify.conftest import Receiver, http_server, receiver, run_worker


def test_a_published_notice_reaches_standard_and_slack_endpoints(site, editor, receiver, http_server):
    _endpoint, receiver.secret = webhooks.add_endpoint(site, receiver.url, events=["notice.published"])
    slack = Receiver(http_server, "/slack")
    webhooks.add_endpoint(site, slack.url, format="slack", events=["notice.published"])
    case = case_about("Augest")
    notice = services.fix_with_notice(case, kind="correction", text="We misspelt <August> & more.", by=editor)
    run_worker()
    [(_, body)] = receiver.verified
    assert body["type"] == "notice.published"
    data = body["data"]["notice"]
    assert (data["id"], data["kind"], data["text"], data["minor"]) == (notice.pk, "correction", notice.text, False)
    assert data["article"]["id"] == case.article_id and data["case_ids"] == [case.pk]
    assert data["url"].endswith(f"/corrections/courier/#notice-{notice.pk}")
    shown = json.dumps(json.loads(slack.received[0].body))
    assert "We misspelt &lt;August&gt; &amp; more." in shown
    assert f"/corrections/courier/#notice-{notice.pk}|open>" in shown
