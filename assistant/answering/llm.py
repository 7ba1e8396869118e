"""Language-model backends: none (extractive), an OpenAI-compatible server, or embedded SmolLM2."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tools.common.errors import BackendUnavailable

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.settings import Settings

BACKENDS = ("extractive", "embedded", "openai")


def make_chat_model(settings: Settings, backend: str) -> BaseChatModel | None:
    """The chat model for `backend`; None means extractive answers (no generation)."""
    if backend not in BACKENDS:
        raise BackendUnavailable(f"Unknown backend '{backend}'; use one of {', '.join(BACKENDS)}.")
    if backend == "extractive":
        return None
    if backend == "openai":
        return _openai(settings)
    from assistant.answering.embedded_llm import load_embedded_chat_model

    return load_embedded_chat_model(settings)


def _openai(settings: Settings) -> BaseChatModel:
    if not settings.openai_model:
        raise BackendUnavailable(
            "The openai backend needs a model name: set PLANT_OPENAI_MODEL (and "
            "PLANT_OPENAI_BASE_URL for your vLLM, Ollama or llama.cpp server)."
        )
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise BackendUnavailable(
            "The openai backend needs langchain-openai: pip install langchain-openai"
        ) from exc
    return ChatOpenAI(
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        api_key=settings.openai_api_key,
        temperature=settings.temperature,
        max_completion_tokens=settings.max_new_tokens,
        timeout=settings.openai_timeout_s,
        max_retries=1,
    )
