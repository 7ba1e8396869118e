from __future__ import annotations

from retrieval.tables import (
    continued_tables,
    plain_tables,
    row_as_text,
    row_keys,
    split_blocks,
    to_markdown,
    with_header_units,
)


def test_to_markdown_flattens_cells_pads_rows_and_escapes_pipes() -> None:
    table = to_markdown([["Code", "Action"], ["E-1", "Stop\nthen call | ext. 5"], ["E-2"], []])
    assert table.splitlines() == [
        "| Code | Action |",
        "|---|---|",
        "| E-1 | Stop then call / ext. 5 |",
        "| E-2 |  |",
    ]
    assert to_markdown([]) == "" and to_markdown([[None, ""]]) == ""


def test_split_blocks_finds_tables_only_with_a_rule_line() -> None:
    text = "Intro.\n| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\nAfter.\n| not | a table |"
    blocks = split_blocks(text)
    assert [b.header for b in blocks] == [None, "| a | b |", None]
    assert blocks[1].rows == ("| 1 | 2 |", "| 3 | 4 |")
    assert blocks[2].text == "After.\n| not | a table |"


def test_row_as_text_names_each_value_and_skips_blanks() -> None:
    header = "| Code | Message | Action |"
    assert row_as_text(header, "| E-114 | Coolant low | Top up |") == (
        "Code E-114 — Message: Coolant low; Action: Top up"
    )
    assert row_as_text(header, "| E-120 | — |  |") == "Code E-120"
    assert row_as_text(header, "|  |  |  |") == ""


def test_plain_tables_rewrites_only_tables() -> None:
    assert plain_tables("no tables here") == "no tables here"
    text = "Limits:\n| Item | Value |\n|---|---|\n| Pressure | 6 bar |"
    assert plain_tables(text) == "Limits:\nItem Pressure — Value: 6 bar"


def test_with_header_units_gives_numeric_cells_their_columns_unit() -> None:
    text = (
        "Ratings\n| Size | Ampacity (amperes) | Weight in kg | Note |\n|---|---|---|---|\n"
        "| 12 | 20 | 4,200 | 3 wires |"
    )
    assert with_header_units(text).splitlines()[-1] == "| 12 | 20 amperes | 4,200 kg | 3 wires |"
    assert with_header_units("no table, 20 here") == "no table, 20 here"


def test_with_header_units_takes_a_unit_column_for_the_value_columns_only() -> None:
    text = (
        "| ID | Characteristic | Unit | Nominal | LSL | USL | Subgroup size |\n"
        "|---|---|---|---|---|---|---|\n"
        "| WT-40 | Shot weight | g | 182.0 | 180.5 | 183.5 | 4 |\n"
        "| WS-02 | Pull strength | N | — | 850 | — | 1 |"
    )
    rows = with_header_units(text).splitlines()[2:]
    assert rows[0] == "| WT-40 | Shot weight | g | 182.0 g | 180.5 g | 183.5 g | 4 |"
    assert rows[1] == "| WS-02 | Pull strength | N | — | 850 N | — | 1 |"
    value_unit = "| Parameter | Value | Unit |\n|---|---|---|\n| Air pressure | 5.5 | bar |"
    assert with_header_units(value_unit).splitlines()[-1] == "| Air pressure | 5.5 bar | bar |"


def test_row_keys_are_identifiers_and_names_in_capitals() -> None:
    keys = row_keys("Our gateway sent reason code 0x8D. Is SEARCHGW on pin 13 of MQTT-SN 2.0?")
    assert keys == {"0x8d", "searchgw", "13", "mqtt-sn", "2.0"}
    assert row_keys("what is the torque for the cover screws") == set()


def test_a_table_continued_under_its_header_again_is_one_table() -> None:
    first = "Terms:\n| Item | Term |\n|---|---|\n| Delivery | 5 days |"
    second = "| Item | Term |\n|---|---|\n| Split deliveries | Allowed |\nEnd."
    joined = continued_tables(f"{first}\n{second}")
    assert joined.splitlines() == [
        "Terms:", "| Item | Term |", "|---|---|", "| Delivery | 5 days |",
        "| Split deliveries | Allowed |", "End.",
    ]  # fmt: skip
    tables = [b for b in split_blocks(joined) if b.header]
    assert len(tables) == 1 and len(tables[0].rows) == 2
    # two tables apart, with text between them, stay two tables
    apart = f"{first}\nThe rest:\n{second}"
    assert continued_tables(apart) == apart
