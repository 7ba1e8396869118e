from __future__ import annotations

import pytest
from sqlmodel import Session

from assistant.persistence.db import make_engine
from assistant.persistence.messages import (
    corrections_as_examples,
    record_correction,
    record_message,
)
from tools.common.errors import PlantError
from tools.common.intents import INTENTS


def test_a_user_corrects_only_their_own_message_and_only_once(database_url: str) -> None:
    with Session(make_engine(database_url)) as session:
        anna = record_message(session, text="is OD-12 ok", intent="manual_question",
                              confidence=0.6, user="anna")  # fmt: skip
        with pytest.raises(PlantError, match="No stored message"):
            record_correction(session, message_id=anna.id, label="spc_analysis",
                              labels=INTENTS, user="bob")  # fmt: skip
        with pytest.raises(PlantError, match="No stored message"):
            record_correction(session, message_id="forged-id", label="spc_analysis",
                              labels=INTENTS, user="anna")  # fmt: skip
        with pytest.raises(PlantError, match="Unknown intent"):
            record_correction(session, message_id=anna.id, label="rm -rf",
                              labels=INTENTS, user="anna")  # fmt: skip
        stored = record_correction(session, message_id=anna.id, label="spc_analysis",
                                   labels=INTENTS, user="anna")  # fmt: skip
        assert (stored.text, stored.predicted, stored.user) == (
            "is OD-12 ok",
            "manual_question",
            "anna",
        )
        with pytest.raises(PlantError, match="already been corrected"):
            record_correction(session, message_id=anna.id, label="failure_risk",
                              labels=INTENTS, user="anna")  # fmt: skip
        assert corrections_as_examples(session) == [
            {"text": "is OD-12 ok", "label": "spc_analysis"}
        ]
