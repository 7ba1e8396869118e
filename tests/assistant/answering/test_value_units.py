"""A passage's sentences and table rows, with what surrounds each."""

from __future__ import annotations

from assistant.answering.value_units import body_units, units

_PASSAGE = (
    "Canteen > Prices\n"
    "A main meal costs 3.50 EUR. Soup costs 1.20 EUR.\n\n"
    "Drinks are free.\n\n"
    "| Item | Price |\n|---|---|\n| Coffee | 0.80 EUR |"
)


def test_sentences_and_rows_with_their_surroundings() -> None:
    found = units(_PASSAGE)
    texts = [u.text.strip() for u in found]
    assert "A main meal costs 3.50 EUR." in texts
    assert "Soup costs 1.20 EUR." in texts
    row = next(u for u in found if "Coffee" in u.text)
    assert row.header.strip() == "| Item | Price |"
    assert "Drinks are free." in row.labels  # the sentence before a table captions it
    meal = next(u for u in found if u.text.startswith("A main meal"))
    assert meal.heading == "Canteen > Prices"
    assert "Soup" in meal.paragraph and not meal.labels


def test_the_heading_line_is_no_body() -> None:
    assert all(u.text.strip() != "Canteen > Prices" for u in body_units(_PASSAGE))
    assert any(u.text.strip() == "Canteen > Prices" for u in units(_PASSAGE))
    assert [u.text for u in body_units("One line, 5 bar.")] == ["One line, 5 bar."]
