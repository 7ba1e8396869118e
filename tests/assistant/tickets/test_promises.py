from __future__ import annotations

from assistant.tickets.promises import stated_phrases, unsupported_promises


def test_a_refund_no_cited_source_states_is_reported() -> None:
    text = "We will refund the invoice [1]. Claims are notified within 30 days [1]."
    found = unsupported_promises(text, {1: "Claims are notified within 30 days."})
    assert found == ["refund: We will refund the invoice [1]."]


def test_a_promise_its_source_states_is_not_reported() -> None:
    text = "A credit note is issued for returns accepted under R1 [1]."
    assert unsupported_promises(text, {1: "A credit note is issued for returns under R1."}) == []


def test_a_phrase_quoted_from_a_source_is_not_a_promise_the_drafter_made() -> None:
    passages = {1: "Quality decides within 5 working days whether the claim is accepted."}
    quoted = "- Quality decides within 5 working days whether the claim is accepted. [1]"
    assert stated_phrases(quoted, ["claim is accepted"], passages) == []
    written = "Good news: your claim is accepted [1]."
    assert stated_phrases(written, ["claim is accepted"], passages) == ["claim is accepted"]
