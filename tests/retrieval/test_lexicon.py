from __future__ import annotations

import pytest

from retrieval.lexicon import is_common_word


@pytest.mark.parametrize("word", ["maternity", "humidity", "dress", "lubricant", "spindle"])
def test_ordinary_english_words_are_known(word: str) -> None:
    assert is_common_word(word)


@pytest.mark.parametrize("word", ["colleage", "hydrualic", "seperate", "guage", "shfits"])
def test_misspellings_are_not(word: str) -> None:
    assert not is_common_word(word)


def test_clippings_expand_and_other_words_do_not() -> None:
    from retrieval.lexicon import expansion

    assert expansion("Spec") == "specification"
    assert expansion("temp") == "temperature"
    assert expansion("torque") is None
