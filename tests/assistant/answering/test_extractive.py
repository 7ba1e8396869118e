from __future__ import annotations

from assistant.answering.extractive import ExtractiveAnswerer, Quote, passage_units, render
from assistant.answering.retrieval_result import TextVectors
from retrieval.embeddings import SentenceEmbedder


def test_units_are_sentences_sentence_pairs_and_named_table_rows() -> None:
    text = (
        "Dry the granulate first. Dry at 80 °C for 4 hours.\n"
        "| Code | Message | Action |\n|---|---|---|\n| E-114 | Coolant low | Top up CoolSol 8 |"
    )
    units = passage_units(text)
    assert "Dry at 80 °C for 4 hours." in units
    assert "Dry the granulate first. Dry at 80 °C for 4 hours." in units
    assert "Code E-114 — Message: Coolant low; Action: Top up CoolSol 8" in units
    assert not any(u.startswith("|") for u in units)


def test_a_quantity_question_prefers_the_sentence_with_the_number(
    embedder: SentenceEmbedder,
) -> None:
    passages = {
        1: "PA66-GF30 absorbs moisture and must be dried before moulding. "
        "Dry at 80 °C for at least 4 hours in dryer DR-2."
    }
    text = ExtractiveAnswerer(embedder).answer("how long do we dry PA66-GF30", passages)
    assert "4 hours" in text


def test_a_who_question_prefers_the_line_naming_the_person_in_charge(
    embedder: SentenceEmbedder,
) -> None:
    passages = {
        1: "Incident reporting procedure. This procedure explains what to report, how, and "
        "what happens next.\nOwner: Ruth Okafor, EHS coordinator (ext. 2105)."
    }
    answerer = ExtractiveAnswerer(embedder, max_quotes=1)
    assert "Ruth Okafor" in answerer.answer("who deals with an injury report", passages)
    # not a who-question: the role line gets no head start
    what = answerer.answer("what does the reporting procedure explain", passages)
    assert "Ruth Okafor" not in what


def test_the_matching_row_is_quoted_with_its_citation(embedder: SentenceEmbedder) -> None:
    answerer = ExtractiveAnswerer(embedder)
    passages = {
        1: "| Code | Message | Action |\n|---|---|---|\n"
        "| E-101 | Spindle overload | Reduce feed |\n| E-114 | Coolant level low | Top up |",
        2: "The canteen serves hot meals from 11:00 to 12:30.",
    }
    text = answerer.answer("what does alarm E-114 mean", passages)
    # quoted as a table: the header, its rule, then the row with its citation
    lines = text.splitlines()
    assert lines[:2] == ["| Code | Message | Action |", "|---|---|---|"]
    assert lines[2] == "| E-114 | Coolant level low | Top up [1] |"
    assert "canteen" not in text


def test_a_question_for_a_kind_of_value_quotes_a_line_holding_one(
    embedder: SentenceEmbedder,
) -> None:
    passages = {
        1: "The press P-100 is a hydraulic press for stamping housings. "
        "It must be inspected every shift by the operator.",
        2: "| Item | Value |\n|---|---|\n| Stroke | 300 mm |\n| Weight | 4,200 kg |",
    }
    text = ExtractiveAnswerer(embedder).answer("what does the press P-100 weigh", passages)
    assert "4,200 kg" in text and "inspected" not in text


def test_render_puts_sentences_and_tables_apart() -> None:
    table = "| Code | Message |\n|---|---|\n| E-1 | Low |"
    text = render(
        [Quote(1, "Code E-1 — Message: Low", 1.0), Quote(2, "Dry it for 4 hours.", 0.9)],
        {1: table, 2: "Dry it for 4 hours."},
    )
    assert text == "| Code | Message |\n|---|---|\n| E-1 | Low [1] |\n\nDry it for 4 hours. [2]"


def test_no_units_no_quotes(embedder: SentenceEmbedder) -> None:
    assert ExtractiveAnswerer(embedder).quotes("anything", {1: "short"}) == []


def test_shared_vectors_give_the_same_quotes_without_embedding_again(
    embedder: SentenceEmbedder,
) -> None:
    answerer = ExtractiveAnswerer(embedder)
    passages = {
        1: "| Code | Message | Action |\n|---|---|---|\n"
        "| E-101 | Spindle overload | Reduce feed |\n| E-114 | Coolant level low | Top up |",
        2: "The canteen serves hot meals from 11:00 to 12:30. A meal costs 3.50 EUR.",
    }
    question = "what does alarm E-114 mean"
    vectors = TextVectors(embedder)
    shared = answerer.quotes(question, passages, vectors)
    before = embedder.texts_embedded
    assert answerer.answer(question, passages, vectors) == answerer.answer(question, passages)
    assert embedder.texts_embedded - before == 1 + len(
        {u for text in passages.values() for u in passage_units(text)}
    )  # only the call without shared vectors read the question and the units
    assert [(q.n, q.text) for q in shared] == [
        (q.n, q.text) for q in answerer.quotes(question, passages)
    ]


def test_a_list_is_one_unit_with_the_line_that_introduces_it() -> None:
    text = (
        "Records may live elsewhere. This is where records are typically stored:\n"
        "- GitHub\n- ZenDesk\n- the QMS folder\nReview them yearly."
    )
    units = passage_units(text)
    assert (
        "Records may live elsewhere. This is where records are typically stored:\n"
        "- GitHub\n- ZenDesk\n- the QMS folder"
    ) in units
    steps = passage_units("To reset:\n1. Open the door.\n2. Press reset.\n3. Close the door.")
    assert "To reset:\n1. Open the door.\n2. Press reset.\n3. Close the door." in steps
    # a line of advice between the introducing line and its list keeps them together
    advised = passage_units(
        "This is where records are typically stored:\n\nAdd every tool that stores records.\n\n"
        "- GitHub (issues)\n- ZenDesk (tickets)"
    )
    assert (
        "This is where records are typically stored:\nAdd every tool that stores records.\n"
        "- GitHub (issues)\n- ZenDesk (tickets)"
    ) in advised


def test_a_sentence_introducing_the_next_is_never_quoted_alone() -> None:
    units = passage_units(
        "Signs shall be posted. Such signs shall display the following warning:\n\n"
        "CAUTION HOT WORK IN PROGRESS STAY CLEAR"
    )
    assert "Such signs shall display the following warning:" not in units
    # nor closing a pair with the sentence before it
    assert "Signs shall be posted. Such signs shall display the following warning:" not in units
    assert (
        "Such signs shall display the following warning: CAUTION HOT WORK IN PROGRESS STAY CLEAR"
    ) in units
    # the last sentence of a passage introduces nothing it holds: it stays a unit
    assert "Connect the supply as follows:" in passage_units(
        "The unit needs 48 VDC. Connect the supply as follows:"
    )


def test_a_which_question_quotes_the_whole_list(embedder: SentenceEmbedder) -> None:
    passages = {
        1: "Records are not always in the QMS folder. They may reside in other applications. "
        "This is where records are typically stored:\n- GitHub\n- ZenDesk\n- Google Drive"
    }
    text = ExtractiveAnswerer(embedder).answer(
        "besides the QMS folder, where are records typically stored", passages
    )
    assert "GitHub" in text and "ZenDesk" in text


def test_a_how_do_i_question_quotes_the_steps(embedder: SentenceEmbedder) -> None:
    passages = {
        1: "High-temperature tape must be used to tie wire bundles in hot areas. "
        "Install the tape as follows:\n"
        "1. Wrap the tape around the bundle three times, with a two-thirds overlap.\n"
        "2. Tie a square knot with the free ends."
    }
    text = ExtractiveAnswerer(embedder).answer(
        "how do you apply high-temperature tape to a wire bundle", passages
    )
    assert "three times" in text and "square knot" in text


def test_the_row_keyed_by_the_asked_identifier_wins_within_its_table(
    embedder: SentenceEmbedder,
) -> None:
    passages = {
        1: "| Pin | Function | Type | Description |\n|---|---|---|---|\n"
        "| 12 | RELAY4_P | Switch | Relay 4 positive |\n"
        "| 13 | NTC | Analog | Negative temperature coefficient thermoresistor |\n"
        "| 18 | RELAY4_N | Switch | Relay 4 negative |"
    }
    text = ExtractiveAnswerer(embedder).answer(
        "what is on pin 13 of the J11 relay connector", passages
    )
    assert "| 13 | NTC |" in text.splitlines()[2]


def test_an_identifier_that_ends_the_sentence_still_keys_its_row(
    embedder: SentenceEmbedder,
) -> None:
    passages = {
        1: "The sender of the DISCONNECT packet must use one of the reason codes applicable to "
        "DISCONNECT. The values for reason codes are shown in the reason code table.",
        2: "| Value | Name | Description |\n|---|---|---|\n"
        "| 0x8D | Keep alive timeout | No packet was received for 1.5 times the keep-alive |",
    }
    text = ExtractiveAnswerer(embedder, max_quotes=1).answer(
        "Our gateway disconnected with reason code 0x8D. What does that code mean?", passages
    )
    assert "Keep alive timeout" in text


def test_a_name_in_capitals_keys_the_row_whose_cell_it_is(embedder: SentenceEmbedder) -> None:
    passages = {
        1: "The packet type field is a one-byte unsigned value; the values are shown below. "
        "Refer to section 2.1 for the structure of a control packet.",
        2: "| Name | Value | Direction |\n|---|---|---|\n"
        "| ADVERTISE | 0x16 | Server to clients |\n"
        "| SEARCHGW | 0x17 | Client to servers |\n"
        "| GWINFO | 0x18 | Server to client |",
    }
    text = ExtractiveAnswerer(embedder, max_quotes=1).answer(
        "What is the packet type value of SEARCHGW in protocol version 2.0?", passages
    )
    assert "| SEARCHGW | 0x17 |" in text


def test_a_how_many_question_quotes_the_line_stating_the_count(
    embedder: SentenceEmbedder,
) -> None:
    passages = {
        1: "Plant issue 4, approved by the production manager. Applies to the four VMC-850 "
        "machines on Line 1 (Machining, Hall A), asset tags M1-01, M1-02, M1-03 and M1-04.",
        2: "| Asset tag | Machine | Model | Line | Installed |\n|---|---|---|---|---|\n"
        "| M1-01 | Vertical machining centre | Vantor VMC-850 | 1 | 2017 |\n"
        "| M1-02 | Vertical machining centre | Vantor VMC-850 | 1 | 2020 |\n"
        "| M2-01 | Vertical machining centre | Vantor VMC-850 | 2 | 2023 |",
    }
    text = ExtractiveAnswerer(embedder, max_quotes=1).answer(
        "how many VMC-850 machines are on line 1", passages
    )
    assert "four VMC-850 machines" in text


def test_a_full_stop_after_an_abbreviation_does_not_end_the_sentence() -> None:
    units = passage_units(
        "If you are sick, call the shift leader (Line 1: ext. 2201, Line 2: ext. 2202) at "
        "least 1 hour before the shift. Use e.g. the phone at the gate. See No. 4 below.\n"
        "Is a bypass allowed? No. A permit is needed."
    )
    assert (
        "If you are sick, call the shift leader (Line 1: ext. 2201, Line 2: ext. 2202) at "
        "least 1 hour before the shift." in units
    )
    assert "Use e.g. the phone at the gate." in units
    assert "See No. 4 below." in units
    # "No." before a word ends its sentence
    assert "A permit is needed." in units


def test_a_yes_or_no_question_about_a_rule_quotes_the_rule(embedder: SentenceEmbedder) -> None:
    passages = {
        1: "Maintenance may need to operate a machine with a guard open, for example to observe "
        "a fault.\n\nThe bypass is allowed only with the permit BP-1 signed by the Maintenance "
        "Lead."
    }
    answerer = ExtractiveAnswerer(embedder, max_quotes=1)
    asked = "maintenance needs to run the VMC with the door open to watch a fault"
    assert "BP-1" in answerer.answer(f"{asked}, is that allowed", passages)
    # not a yes-or-no question about a rule: the line describing the situation answers
    assert "BP-1" not in answerer.answer(f"why would {asked}", passages)


def test_a_passage_heading_counts_for_its_lines(embedder: SentenceEmbedder) -> None:
    passages = {
        1: "If the housing feels rough, stop the machine and raise a work order.",
        2: "Record in the CMMS trend. Velocity below 1.8 mm/s is good; "
        "above 7.1 mm/s stop the machine.",
    }
    headings = {1: "T-1 Poor surface finish", 2: "MP-04 Spindle vibration measurement"}
    question = "at what spindle vibration level do we stop the machine"
    answerer = ExtractiveAnswerer(embedder)

    def scores(given: dict[int, str] | None) -> dict[str, float]:
        return {q.text: q.score for q in answerer.quotes(question, passages, headings=given)}

    plain, headed = scores(None), scores(headings)
    limit = "Velocity below 1.8 mm/s is good; above 7.1 mm/s stop the machine."
    assert headed[limit] > plain[limit]  # its heading names the spindle's vibration
    assert max(headed, key=headed.__getitem__) == limit


def test_each_kind_of_value_asked_gets_its_line(embedder: SentenceEmbedder) -> None:
    passages = {
        1: "Recommended operating conditions\n| Description | Value |\n|---|---|\n"
        "| Temperature operating range | -20...50 °C |\n| Protection degree rating | IP20 |\n"
        "| Pollution degree | 2 |"
    }
    answerer = ExtractiveAnswerer(embedder, max_quotes=1)
    text = answerer.answer(
        "what are the operating temperature range and the IP rating of the PLC", passages
    )
    assert "-20...50 °C" in text and "IP20" in text
    assert "Pollution" not in text


def test_a_question_for_advice_quotes_the_advice(embedder: SentenceEmbedder) -> None:
    passages = {
        1: "Dynamic power mode scales laser power with the feed rate. Laser power is not "
        "linear with speed for every material.\n\nAlways cut a test piece before you use a "
        "new material."
    }
    answerer = ExtractiveAnswerer(embedder, max_quotes=1)
    asked = "before using dynamic power mode on a new material"
    assert "test piece" in answerer.answer(f"{asked}, what does the manual recommend", passages)
    assert "test piece" not in answerer.answer("what is dynamic power mode", passages)


def test_a_quoted_list_item_keeps_one_bullet() -> None:
    quotes = [Quote(1, "- NOTE: use M3 to focus.", 1.0), Quote(1, "Cut a test piece.", 0.9)]
    text = render(quotes, {1: "- NOTE: use M3 to focus.\n\nCut a test piece."})
    assert text == "- NOTE: use M3 to focus. [1]\n- Cut a test piece. [1]"


def test_a_definition_question_quotes_the_line_defining_the_term(
    embedder: SentenceEmbedder,
) -> None:
    passages = {
        1: "5. Lockout and Tagout: Apply LOTO devices to the energy isolating devices.",
        2: "- LOTO: Lock-Out Tag-Out\n- Energy Isolating Device: A mechanical device that "
        "physically prevents the transmission or release of energy",
    }
    answerer = ExtractiveAnswerer(embedder, max_quotes=1)
    asked = "What does the lockout SOP mean by an 'energy isolating device'?"
    assert "physically prevents" in answerer.answer(asked, passages)
    assert "physically prevents" not in answerer.answer("when are LOTO devices applied", passages)


def test_who_may_and_which_role_questions_quote_the_rule_or_the_role(
    embedder: SentenceEmbedder,
) -> None:
    passages = {
        1: "Document all calibration activities and due dates in the tool database.",
        2: "NOTE: All calibration activities must be performed by qualified personnel.",
    }
    answerer = ExtractiveAnswerer(embedder, max_quotes=1)
    assert "qualified" in answerer.answer("Who is allowed to carry out calibration?", passages)
    group = {
        1: "Authorized employees must attach their own lock and tag to the LOTO devices.",
        2: "Where several authorized employees work on the same equipment, a group LOTO "
        "procedure must be implemented. This involves having a designated coordinator who is "
        "responsible for ensuring that all steps in the LOTO process are followed.",
    }
    asked = "What extra role is needed when several authorized employees work on one machine?"
    assert "coordinator" in answerer.answer(asked, group)
