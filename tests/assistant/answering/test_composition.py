from __future__ import annotations

from assistant.answering.answers import Citation
from assistant.answering.composition import (
    Pointer,
    append_pointed_sections,
    follow_pointers,
    merge_citations,
    missing_attribute_text,
    pointers,
)
from assistant.answering.extractive import Quote
from retrieval.documents import Chunk


def chunk(cid: str, source: str, path: tuple[str, ...], text: str) -> Chunk:
    return Chunk(cid, source, "Manual", path, 3, text)


CHUNKS = [
    chunk("a1", "vmc.pdf", ("VMC", "Alarms"), "| E-141 | Way lube low | See troubleshooting T-4 |"),
    chunk("a2", "vmc.pdf", ("VMC", "Troubleshooting", "T-3 Spindle warm"), "Check the chiller."),
    chunk("a3", "vmc.pdf", ("VMC", "Troubleshooting", "T-4 Way lube pressure low"), "1. Fill."),
    chunk("a4", "vmc.pdf", ("VMC", "Troubleshooting", "T-4 Way lube pressure low"), "2. Purge."),
    chunk("b1", "lathe.pdf", ("LT", "Troubleshooting", "T-4 Chuck"), "Grease the jaws."),
    chunk("c1", "reg.pdf", ("Regulation", "Section 6 Duties"), "The importer shall keep it."),
]


def test_pointers_name_labels_and_bare_numbers_need_a_kind() -> None:
    assert pointers("See troubleshooting T-4 |") == [Pointer("T-4", "troubleshooting")]
    assert pointers("refer to section 6.2; see Annex III") == [
        Pointer("6.2", "section"),
        Pointer("III", "annex"),
    ]
    assert pointers("see 4 pages later, see below") == []
    assert Pointer("6", "section").heads("Section 6 Duties")
    assert not Pointer("6", "section").heads("61 Duties")


def test_follow_pointers_prefers_the_same_document_and_takes_the_whole_section() -> None:
    found = follow_pointers("See troubleshooting T-4", "vmc.pdf", CHUNKS)
    assert [c.chunk_id for c in found] == ["a3", "a4"]
    found = follow_pointers("See troubleshooting T-4", "lathe.pdf", CHUNKS)
    assert [c.chunk_id for c in found] == ["b1"]  # the quoting document's own T-4
    # no T-4 in the quoting document: the first document that has one
    assert [c.chunk_id for c in follow_pointers("see T-4", "other.pdf", CHUNKS)] == ["a3", "a4"]
    assert follow_pointers("see T-9", "vmc.pdf", CHUNKS) == []
    assert [c.chunk_id for c in follow_pointers("see section 6", "x.pdf", CHUNKS)] == ["c1"]


def test_append_pointed_sections_quotes_the_steps_with_a_new_citation() -> None:
    citations = [Citation(n=1, source="vmc.pdf", section="VMC > Alarms", text=CHUNKS[0].text)]
    quotes = [Quote(1, "Code E-141 — See troubleshooting T-4", 1.0)]
    text = append_pointed_sections("E-141 ... [1]", quotes, citations, CHUNKS)
    assert text.endswith("T-4 Way lube pressure low [2]:\n1. Fill.\n2. Purge.")
    assert [c.n for c in citations] == [1, 2] and citations[1].chunk_id == "a3"
    # the pointed section already among the passages keeps its number
    retrieved = [
        Citation(n=1, source="vmc.pdf", section="VMC > Alarms", text=CHUNKS[0].text),
        Citation(n=2, source="vmc.pdf", section="T-4", text="1. Fill.", chunk_id="a3"),
    ]
    text = append_pointed_sections("E-141 ... [1]", quotes, retrieved, CHUNKS)
    assert text.endswith("[2]:\n1. Fill.\n2. Purge.") and len(retrieved) == 2
    # a quote that already holds the steps gets nothing appended
    assert append_pointed_sections("1. Fill. [2]", quotes, retrieved, CHUNKS) == "1. Fill. [2]"


def test_merge_citations_folds_one_section_and_renumbers_the_text() -> None:
    first = "Step one is to isolate the machine and lock it."
    overlap = "isolate the machine and lock it. Step two is to test."
    cites = [
        Citation(n=1, source="m.pdf", section="LOTO", text=first),
        Citation(n=2, source="n.pdf", section="LOTO", text="Other."),
        Citation(n=3, source="m.pdf", section="LOTO", text=overlap),
    ]
    text, merged = merge_citations("a [1] b [3] c [2] d [1][3]", cites)
    assert text == "a [1] b [1] c [2] d [1]"
    assert [(c.n, c.source) for c in merged] == [(1, "m.pdf"), (2, "n.pdf")]
    assert merged[0].text == first + " Step two is to test."


def test_missing_attribute_text_names_what_the_document_gives() -> None:
    c = Citation(
        n=1,
        source="m.pdf",
        title="VMC-850 manual",
        section="VMC > Technical data",
        text="Travels 850 mm",
    )
    assert missing_attribute_text("what does the VMC-850 weigh", [c]) == (
        "The VMC-850 manual gives Technical data [1], but not the weight you asked for."
    )
    assert missing_attribute_text("how many spindles does the VMC-850 have", [c]) == (
        "The VMC-850 manual gives Technical data [1], but not the number of spindles you asked for."
    )


def test_a_pointer_by_an_annex_label_and_title_finds_the_titled_section() -> None:
    text = "Example values for these are suggested in C.4 Timer and Counter Values."
    assert pointers(text) == [Pointer("C.4", "", "Timer and Counter Values")]
    assert pointers("See also A.2 Wiring for the terminals") == [Pointer("A.2", "", "Wiring")]
    spec = [
        chunk("s3", "spec.docx", ("Spec", "C.3 Example Timer and Counter Values"), "60 s"),
        chunk("s4", "spec.docx", ("Spec", "C.4 Exponential Backoff"), "Double it."),
        chunk("o4", "other.docx", ("Other", "C.4 Timer and Counter Values"), "Elsewhere."),
    ]
    # the draft renumbered its annex: the title names the section, in the quoting document
    assert [c.chunk_id for c in follow_pointers(text, "spec.docx", spec)] == ["s3"]
    # label and title agree: that section
    assert [c.chunk_id for c in follow_pointers(text, "other.docx", spec)] == ["o4"]
    # no title: the label alone
    assert [c.chunk_id for c in follow_pointers("see C.4", "spec.docx", spec)] == ["s4"]
