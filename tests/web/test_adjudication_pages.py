"""The adjudication pages without a browser: the queue, the screen with every judgment, the
form's errors (what was typed stays), other kinds through JSON, and who may see them."""

from __future__ import annotations

import html
import re
from typing import Any

from dispute_kit import Vote, disputed_item
from expertloop.store.tables import Consensus

SPEC = {"labels": ["supported", "not supported", "unclear"]}
HOSTILE = "<script>alert(1)</script> Trial *stopped* early."


def label_dispute(factory: Any, lead: Any, experts: list[Any]) -> int:
    votes = [
        Vote(experts[0], {"labels": ["supported"]}, "JUPITER shows it."),
        Vote(experts[1], {"labels": ["not supported"]}, HOSTILE),
    ]
    _, item_id = disputed_item(
        factory, lead=lead, kind="label", spec=SPEC, votes=votes, leading={"labels": ["supported"]}
    )
    return item_id


def consensus_of(database: Any, item_id: int) -> Consensus:
    with database.scoped(write=False) as session:
        row = session.get(Consensus, item_id)
        assert row is not None
        return row


def test_reviewer_sees_the_queue_and_every_judgment_side_by_side(pages: Any, factory: Any) -> None:
    lead, reviewer = factory.user("lead"), factory.user("reviewer")
    item_id = label_dispute(factory, lead, [factory.user("expert"), factory.user("expert")])
    pages.log_in(reviewer)
    queue = pages.get("/adjudications")
    assert queue.status_code == 200
    assert f'href="/adjudications/{item_id}"' in queue.text
    assert 'id="nav-adjudications"' in queue.text
    screen = pages.get(f"/adjudications/{item_id}")
    assert screen.status_code == 200
    text = screen.text
    assert text.count('class="judgment-column"') == 2
    assert "Expert 1" in text and "Expert 2" in text
    assert "JUPITER shows it." in text
    assert html.escape(HOSTILE, quote=False) in text and "<script>alert" not in text
    assert re.search(r'id="leading-confidence">55%<', text)
    assert "<em>statins reduce all-cause mortality in primary prevention.</em>" in text
    assert 'id="adjudication-form"' in text


def test_an_error_keeps_what_was_typed_and_names_the_field(pages: Any, factory: Any) -> None:
    lead, reviewer = factory.user("lead"), factory.user("reviewer")
    item_id = label_dispute(factory, lead, [factory.user("expert"), factory.user("expert")])
    csrf = pages.log_in(reviewer)
    no_label = {"csrf": csrf, "kind": "label", "reason": "The trial's primary endpoint."}
    refused = pages.client.post(f"/adjudications/{item_id}", data=no_label)
    assert refused.status_code == 422
    assert "value.labels: must be a non-empty list of labels" in refused.text
    assert ">The trial&#39;s primary endpoint.</textarea>" in refused.text
    assert 'data-field="value.labels" aria-invalid="true"' in refused.text

    no_reason = {"csrf": csrf, "kind": "label", "label": "unclear", "reason": " "}
    refused = pages.client.post(f"/adjudications/{item_id}", data=no_reason)
    assert refused.status_code == 422
    assert "reason: is required" in refused.text
    assert 'value="unclear" data-key="3" checked' in refused.text
    assert consensus_of(factory.database, item_id).state == "disputed"

    forged = pages.client.post(f"/adjudications/{item_id}", data={**no_reason, "csrf": "x"})
    assert forged.status_code == 403

    decided = {**no_reason, "reason": "Only a subgroup benefited."}
    done = pages.client.post(f"/adjudications/{item_id}", data=decided, follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (
        303,
        f"/adjudications/{item_id}?adjudicated=1",
    )
    confirmed = pages.get(done.headers["location"])
    assert 'id="adjudicated"' in confirmed.text and "Only a subgroup benefited." in confirmed.text
    row = consensus_of(factory.database, item_id)
    assert (row.state, row.value, row.reason) == (
        "adjudicated",
        {"labels": ["unclear"]},
        "Only a subgroup benefited.",
    )
    again = pages.client.post(
        f"/adjudications/{item_id}", data={**decided, "reason": "Another reason."}
    )
    assert again.status_code == 409 and "consensus is adjudicated" in again.text


def test_other_kinds_are_decided_as_json(pages: Any, factory: Any) -> None:
    lead, reviewer = factory.user("lead"), factory.user("reviewer")
    spec = {"labels": ["benign", "malignant"]}
    row = {
        "external_id": "v1",
        "prompt": "Lesion 4 mm",
        "data": {"prediction": {"label": "benign"}},
    }
    votes = [
        Vote(factory.user("expert"), {"verdict": "accept"}, "Looks benign."),
        Vote(factory.user("expert"), {"verdict": "correct", "correction": "malignant"}, "Border."),
    ]
    _, item_id = disputed_item(
        factory,
        lead=lead,
        kind="verify",
        spec=spec,
        votes=votes,
        row=row,
        leading={"verdict": "accept", "correction": None},
    )
    csrf = pages.log_in(reviewer)
    screen = pages.get(f"/adjudications/{item_id}").text
    assert (
        "Correct it to “malignant”" in screen and 'data-key="c" data-focus="correction"' in screen
    )
    sent = {
        "csrf": csrf,
        "kind": "verify",
        "verdict": "correct",
        "correction": "benign",
        "reason": "Irregular border.",
    }
    refused = pages.client.post(f"/adjudications/{item_id}", data=sent)
    assert refused.status_code == 422 and "must differ from the prediction" in refused.text
    assert 'value="benign"' in refused.text
    # Any kind can be decided in JSON: a broken document is refused naming the value.
    broken = {"csrf": csrf, "kind": "ranking", "value_json": "{oops", "reason": "x"}
    refused = pages.client.post(f"/adjudications/{item_id}", data=broken)
    assert refused.status_code == 422 and "value: is not valid JSON" in refused.text
    sent["correction"] = "malignant"
    assert pages.client.post(f"/adjudications/{item_id}", data=sent).status_code == 200
    assert consensus_of(factory.database, item_id).value == {
        "verdict": "correct",
        "correction": "malignant",
    }


def test_experts_may_not_open_the_pages_and_judges_may_not_decide(pages: Any, factory: Any) -> None:
    lead, judge = factory.user("lead"), factory.user("reviewer")
    item_id = label_dispute(factory, lead, [judge, factory.user("expert")])
    pages.log_in(judge)
    screen = pages.get(f"/adjudications/{item_id}")
    assert screen.status_code == 200 and 'id="not-yours"' in screen.text
    assert 'id="adjudication-form"' not in screen.text
    assert 'id="queue-empty"' in pages.get("/adjudications").text
    pages.client.cookies.clear()
    pages.log_in(factory.user("expert"))
    for path in ("/adjudications", f"/adjudications/{item_id}"):
        assert pages.get(path).status_code == 403
    assert pages.get(f"/adjudications/{item_id + 99}").status_code == 403
    pages.client.cookies.clear()
    assert pages.get("/adjudications").status_code == 303  # to the login form
