from __future__ import annotations

import numpy as np

from retrieval.bm25 import BM25Index, tokenize, tokenize_with_words


def test_tokenizer_keeps_codes_whole_and_split() -> None:
    tokens = tokenize("Alarm E-214 on KP-4471-B, see 12.5 mm")
    assert {"e214", "e", "214", "kp4471b", "kp", "4471", "b", "125", "mm"} <= set(tokens)
    assert "the" not in tokenize("the machine")


def test_tokenizer_stems_plurals() -> None:
    assert tokenize("bearings") == tokenize("bearing")


def test_exact_code_outranks_similar_text() -> None:
    index = BM25Index(
        [
            "E-214 coolant level low, top up coolant",
            "E-215 coolant pump overload",
            "coolant concentration 7-9 percent",
        ]
    )
    top = index.top_k("what is alarm E-214", k=3)
    assert top[0][0] == 0
    assert all(score > 0 for _, score in top)


def test_mask_excludes_rows_and_unknown_words_score_zero() -> None:
    index = BM25Index(["grease the gibs", "grease the chuck", "canteen menu"])
    mask = np.array([False, True, True])
    assert [row for row, _ in index.top_k("grease", 3, mask)] == [1]
    assert index.top_k("zzzz qqqq", 3) == []


def test_unknown_terms_finds_codes_and_words_the_corpus_never_mentions() -> None:
    index = BM25Index(["Alarm E-114: coolant level low on the VMC-850", "warranty periods"])
    codes, words, n = index.unknown_terms("what does alarm E-999 mean on the VMC-850")
    assert codes == ["E-999"] and words == ["mean"] and n == 3  # alarm, mean, vmc
    codes, words, _ = index.unknown_terms("guest wifi password for the waranty desk")
    assert codes == [] and set(words) == {"guest", "wifi", "password", "desk"}


def test_unknown_terms_reads_part_numbers_of_several_segments_and_standards() -> None:
    index = BM25Index(
        [
            "Seal kit SK-KV16-V fits the KV-16. Replacement housing PH-55.",
            "The quality system is certified to ISO 9001:2015. Port plugs G 1/4.",
        ]
    )
    # SK-PH55 is not PH-55, and ISO 45001 is not ISO 9001
    assert index.unknown_terms("lead time for an SK-PH55 seal kit")[0] == ["SK-PH55"]
    assert index.unknown_terms("are we certified to ISO 45001")[0] == ["ISO 45001"]
    # what the corpus does write is known, however it is spelt in the question
    assert index.unknown_terms("price of the SK-KV16-V kit for the PH-55")[0] == []
    assert index.unknown_terms("is the plant ISO 9001 certified")[0] == []
    assert index.unknown_terms("torque for the G1/4 port plugs")[0] == []
    # a code inside a known longer one is known: "CAL-014" of "QP-CAL-014"
    procedure = BM25Index(["QP-CAL-014 Calibration of torque tools"])
    assert procedure.unknown_terms("steps of QP-CAL-014 for click wrenches")[0] == []
    assert procedure.unknown_terms("steps of QP-CAL-015")[0] == ["QP-CAL-015"]
    # ... but not a code that only reads like part of it, wherever it stands
    fits = BM25Index(["The PE-2034 fits."])
    assert fits.unknown_terms("does the E-20 fit the PE-2034")[0] == ["E-20"]
    assert fits.unknown_terms("does the PE-2034 take an E-20")[0] == ["E-20"]
    # a number with a word is no part number
    assert index.unknown_terms("a 5-axis machine")[0] == []
    assert index.unknown_terms("when does the line-2 shift start")[0] == []
    # a code in the plural is the code the corpus writes in the singular
    assert index.unknown_terms("customer is sending back three KV-16s and two PH-55s")[0] == []
    assert index.unknown_terms("we are sending back three KV-99s")[0] == ["KV-99"]


def test_a_code_in_the_plural_finds_the_code() -> None:
    index = BM25Index(["The KV-20 body is leak tested at 6 bar.", "The KV-2 cap is blue."])
    assert index.scores("leak test pressure for the KV-20s").argmax() == 0
    assert tokenize("two KV-20s") == tokenize("two KV-20")
    assert tokenize("the TX-200S") != tokenize("the TX-200")  # a capital S is part of a code


def test_repair_spelling_writes_the_corpus_word() -> None:
    index = BM25Index(
        [
            "Bleed the hydraulic accumulator before repairs.",
            "Swap shifts with a colleague only with approval.",
        ]
    )
    assert (
        index.repair_spelling("hydrualic accumulator, can i swap shfits with a colleage?")
        == "hydraulic accumulator, can i swap shifts with a colleague?"
    )
    assert index.repair_spelling("my dog and the zebra") == "my dog and the zebra"
    strict = BM25Index(["hydraulic accumulator"], typo_cutoff=100)
    assert strict.repair_spelling("hydrualic") == "hydrualic"


def test_a_real_word_the_corpus_lacks_is_unknown_not_a_typo() -> None:
    index = BM25Index(["Material safety data sheets", "Leave requests go to HR", "Address book"])
    # "maternity" is one letter from the stem "materi" and "dress" is inside "address", but
    # both are English words: the corpus does not know them, it did not misspell them
    _, words, _ = index.unknown_terms("maternity leave")
    assert words == ["matern"]
    assert ("matern", False) in index.resolve_terms("maternity leave")
    assert index.repair_spelling("dress code for maternity leave") == (
        "dress code for maternity leave"
    )
    assert "materi" not in index.query_terms("maternity leave")
    # a misspelling is still read as the word the corpus writes
    _, words, _ = index.unknown_terms("materail leave")
    assert words == []
    assert index.repair_spelling("materail safety") == "material safety"


def test_the_tokenizer_keeps_the_word_behind_each_token() -> None:
    assert tokenize_with_words("Lathes E-214") == [
        ("lath", "lathes"),
        ("e214", "e-214"),
        ("e", "e"),
        ("214", "214"),
    ]


def test_a_shop_floor_clipping_reads_as_the_full_word_the_corpus_uses() -> None:
    index = BM25Index(["Specification limits of OD-12: 11.985 to 12.015 mm", "Mould temperature"])
    assert index.repair_spelling("spec limits of OD-12") == "specification limits of OD-12"
    _, words, _ = index.unknown_terms("spec limits and mould temp")
    assert words == []
    assert index.top_k("spec limits", k=1)[0][0] == 0
    # a corpus without the full word keeps the clipping as an unknown word
    _, words, _ = BM25Index(["Mould temperature"]).unknown_terms("spec limits")
    assert "spec" in words


def test_two_words_the_corpus_writes_as_one_find_it() -> None:
    index = BM25Index(
        [
            "Lockout procedure: switch off the isolator and fit your own padlock",
            "Spindle speed of the lathe",
            "Run the warm-up program O9000 after a weekend",
            "Coolant is changed every six months",
        ]
    )
    assert index.joined_terms("how do I lock out the lathe") == ["lockout"]
    assert index.scores("lock out")[0] > 0  # without the join, no word of it is in row 0
    assert index.joined_terms("how long is the warm up") == ["warmup"]
    # the stemmer must not make a word of the first word and a suffix-like second word
    assert index.joined_terms("is the coolant fully changed") == []
    # a compound already written with a hyphen is not counted twice
    assert index.query_terms("warm-up program").count("warmup") == 1


def test_a_part_of_a_hyphenated_word_matches_the_same_word_alone() -> None:
    index = BM25Index(["Delivery window: -3/+0 days for automotive customers", "Canteen hours"])
    _, words, _ = index.unknown_terms("delivery window for non-automotive customers")
    assert words == ["non"]  # "automotive" is known; no joined "nonautomotive" is unknown
    assert index.top_k("non-automotive delivery", 1)[0][0] == 0


def test_a_unit_word_the_corpus_never_spells_is_no_unknown_subject() -> None:
    index = BM25Index(
        ["Above 40 °C ambient derate the KD-600 output current by 2.5 % per °C.", "Cabinet air."]
    )
    plain = index.unknown_share("derate the KD-600 above 40")
    assert index.unknown_share("derate the KD-600 above 40 deg") == plain
    # a word the question names as its subject still counts
    assert index.unknown_share("derate the KD-600 in a freezer above 40") > plain + 0.3
    # a unit word the corpus does spell counts as known, as any word
    spelled = BM25Index(["Fill 5 litres of coolant in the bucket.", "Cabinet air."])
    assert spelled.unknown_share("5 litres of coolant in a pail") < spelled.unknown_share(
        "5 of coolant in a pail"
    )
