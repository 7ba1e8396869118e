"""The one place that turns `Settings` into objects: embedder, searcher, chain, router, models.

Factories, not globals (the chat-langchain pattern): each call builds what the settings
describe. Trained models are loaded once per process and training (`loaded.load_model`), so a
chat server with many sessions holds one copy of each.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from assistant.loaded import load_current, load_model, load_once

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from assistant.answering.answerability import AnswerabilityModel
    from assistant.answering.chain import RagChain
    from assistant.capabilities.defects.products import ProductCatalog
    from assistant.capabilities.library.handler import Library
    from assistant.capabilities.uploads import UploadLimits
    from assistant.routing.classifier import IntentClassifier
    from assistant.routing.router import Router
    from assistant.settings import Settings
    from assistant.tickets.drafting import TicketDrafter
    from assistant.tickets.triage import TicketTriage
    from retrieval.embeddings import SentenceEmbedder
    from retrieval.ingest import IngestConfig
    from retrieval.retriever import PlantRetriever
    from retrieval.search import SearchConfig, Searcher, SearchFilter, SearchMode
    from retrieval.vector_index import IndexParams
    from tools.defects.model import DefectModel
    from tools.failure.model import FailureModel

log = logging.getLogger(__name__)
T = TypeVar("T")


def upload_limits(settings: Settings) -> UploadLimits:
    from assistant.capabilities.uploads import UploadLimits

    return UploadLimits(
        photo_mb=settings.max_photo_mb,
        measurements_mb=settings.max_measurements_mb,
        document_mb=settings.max_document_mb,
        files_per_message=settings.max_files_per_message,
    )


# ------------------------------------------------------------------------------ retrieval
def make_embedder(settings: Settings) -> SentenceEmbedder:
    from assistant.answering.instruction_model import scorer
    from retrieval.embeddings import SentenceEmbedder

    embedder = SentenceEmbedder(
        settings.resolved_embedding_model(),
        device=settings.device,
        batch_size=settings.embedding_batch_size,
    )
    # the passage guard's detector embeds with MiniLM too: one copy in memory, not two
    scorer().offer_encoder(embedder.model_name_or_path, embedder.encode)
    return embedder


def index_params(settings: Settings) -> IndexParams:
    from retrieval.vector_index import IndexParams

    return IndexParams(
        kind=settings.index_kind,
        approx_threshold=settings.approx_threshold,
        ivf_threshold=settings.ivf_threshold,
        ivf_nlist=settings.ivf_nlist,
        ivf_nprobe=settings.ivf_nprobe,
        hnsw_m=settings.hnsw_m,
        hnsw_ef_construction=settings.hnsw_ef_construction,
        hnsw_ef_search=settings.hnsw_ef_search,
        gpu=settings.faiss_gpu,
    )


def ingest_config(settings: Settings) -> IngestConfig:
    from assistant.answering.passage_guard import clean_passages, guard_version
    from retrieval.ingest import IngestConfig
    from retrieval.loaders import LoadOptions
    from retrieval.ocr import OcrOptions

    ocr = OcrOptions(
        command=settings.ocr_command,
        timeout_s=settings.ocr_timeout_s,
        language=settings.ocr_language,
    )
    return IngestConfig(
        index_dir=settings.index_dir,
        embedding_model=settings.embedding_model,
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        index_params=index_params(settings),
        load_options=LoadOptions(
            ocr=ocr,
            max_ocr_pages=settings.ocr_max_pages,
            max_file_bytes=int(settings.max_document_mb * 1024 * 1024),  # as uploads count
            max_pdf_pages=settings.max_pdf_pages,
            max_docx_unpacked_bytes=int(settings.max_docx_unpacked_mb * 1_000_000),
            max_docx_ratio=settings.max_docx_compression_ratio,
            max_docx_members=settings.max_docx_members,
            max_markup_bytes=int(settings.max_markup_mb * 1_000_000),
            max_pdf_unpacked_bytes=int(settings.max_pdf_unpacked_mb * 1_000_000),
            max_pdf_ratio=settings.max_pdf_compression_ratio,
        ),
        lock_timeout_s=settings.ingest_lock_timeout_s,
        screen=clean_passages,  # the passage guard, once per passage at ingest
        screen_version=guard_version(),
    )


def search_config(settings: Settings) -> SearchConfig:
    """Every search knob, from the settings (the one place they are read)."""
    from retrieval.glossary import Glossary
    from retrieval.search import SearchConfig

    return SearchConfig(
        fetch_k=settings.retrieval_fetch_k,
        rrf_k=settings.rrf_k,
        dense_weight=settings.hybrid_dense_weight,
        bm25_weight=settings.hybrid_bm25_weight,
        fusion=settings.hybrid_fusion,
        bm25_k1=settings.bm25_k1,
        bm25_b=settings.bm25_b,
        typo_cutoff=settings.bm25_typo_cutoff,
        max_query_chars=settings.max_question_chars,
        glossary=Glossary.load(settings.glossary_path),
        index_params=index_params(settings),
    )


def make_searcher(settings: Settings) -> Searcher:
    """Load the index named by the settings. Raises `IndexNotFoundError` when there is none."""
    from retrieval.index_store import load_snapshot
    from retrieval.search import Searcher

    snapshot = load_snapshot(settings.index_dir)
    return Searcher(snapshot, make_embedder(settings), search_config(settings))


def make_retriever(
    settings: Settings,
    *,
    searcher: Searcher | None = None,
    mode: SearchMode | None = None,
    k: int | None = None,
    search_filter: SearchFilter | None = None,
) -> PlantRetriever:
    """The LangChain retriever over the plant index."""
    from retrieval.retriever import PlantRetriever

    return PlantRetriever(
        searcher=searcher or make_searcher(settings),
        mode=mode or settings.retrieval_mode,
        k=k or settings.retrieval_k,
        search_filter=search_filter,
    )


# ------------------------------------------------------------------------------ answering
def make_chain(
    settings: Settings, *, backend: str | None = None, searcher: Searcher | None = None
) -> RagChain:
    """Assemble the chain for `backend` (default: settings); a backend that cannot start
    falls back to extractive answers, and every answer then says so."""
    from assistant.answering.chain import RagChain
    from assistant.answering.llm import make_chat_model
    from tools.common.errors import BackendUnavailable

    chosen = backend or settings.llm_backend
    notice = None
    try:
        chat_model = make_chat_model(settings, chosen)
    except BackendUnavailable as exc:
        if chosen not in ("embedded", "openai"):
            raise
        log.warning("backend %s unavailable: %s", chosen, exc)
        notice = f"The {chosen} backend is not available ({exc}) Showing extractive answers."
        chat_model, chosen = None, "extractive"
    return RagChain(
        searcher=searcher or make_searcher(settings),
        chat_model=chat_model,
        backend=chosen,
        answer_k=settings.answer_k,
        abstain_threshold=settings.abstain_threshold,
        max_question_chars=settings.max_question_chars,
        history_messages=settings.history_messages,
        notice=notice,
        answerability=load_answerability(settings),
    )


def make_drafter(
    settings: Settings, *, searcher: Searcher | None = None, build: bool = True,
    progress: bool = False,
) -> TicketDrafter:  # fmt: skip
    """The ticket reply drafter: the extractive reader over the plant index, whatever the
    chat's backend (a draft quotes the documents word for word). `build`: embed the corpus
    for the multilingual search now if needed (a server waits for `plant tickets prepare`)."""
    from assistant.tickets.drafting import TicketDrafter
    from retrieval.multilingual import MultilingualSource

    chain = make_chain(settings, backend="extractive", searcher=searcher)
    across = None
    if settings.draft_multilingual:
        cache = settings.data_dir / "cache" / "multilingual-e5-passages.npz"
        across = MultilingualSource(chain.searcher.chunks, cache, build, progress)
    return TicketDrafter(
        chain, multilingual=across, company=settings.company_name,
        passages=settings.draft_passages,
        search_depth=settings.draft_search_depth,
        max_body_chars=settings.draft_body_chars,
        quoted_passages=settings.draft_quoted_passages,
        lines_per_passage=settings.draft_lines_per_passage,
        section_chars=settings.draft_section_chars,
    )  # fmt: skip


def drafter_loader(
    settings: Settings, *, searcher: Searcher | None = None
) -> Callable[[], TicketDrafter]:
    """The reply drafter over the plant index, built once per process and index version
    (over `searcher`, the chat's own, when given: the index is not loaded twice); after an
    ingest the next draft searches the new documents, without a restart."""
    from retrieval.index_store import current_version

    key = ("ticket-drafter", settings.index_dir.resolve())

    def load() -> TicketDrafter:
        version = current_version(settings.index_dir)
        # the chat's searcher only while it holds the live version (an ingest may have run
        # since the chat built it)
        live = searcher if searcher is not None and searcher.snapshot.version == version else None
        return load_current(
            key, version, lambda: make_drafter(settings, searcher=live, build=False)
        )

    return load


def triage_loader(settings: Settings) -> Callable[[], TicketTriage]:
    """The trained ticket triage, loaded once per process and training; until it is trained
    each call raises `TriageModelMissing` (and looks again next time: no restart after
    training)."""

    def load() -> TicketTriage:
        from assistant.tickets.triage import TicketTriage

        folder = settings.ticket_model_dir
        key = ("ticket-triage", folder.resolve())
        return load_model(key, folder, lambda: TicketTriage.load(folder))

    return load


def load_answerability(settings: Settings) -> AnswerabilityModel | None:
    """The model `plant calibrate` fitted for this index, else the one shipped with the code;
    None (a plain similarity threshold) when abstention is set to use the threshold."""
    from assistant.answering.answerability import DEFAULT_MODEL_PATH, AnswerabilityModel

    if settings.abstention == "threshold":
        return None
    fitted = settings.answerability_path
    path = fitted if fitted.exists() else DEFAULT_MODEL_PATH
    try:
        return AnswerabilityModel.load(path)
    except (OSError, ValueError) as exc:
        log.warning("answerability model %s unusable (%s); using the score threshold", path, exc)
        return None


# ------------------------------------------------------------------------------ models, data
def make_engine(settings: Settings) -> Engine:
    from assistant.persistence.db import make_engine as engine_for

    return engine_for(settings.resolved_database_url)


def usable_engine(settings: Settings) -> Engine | None:
    """The database's engine, or None when it cannot be opened (down, locked for longer than
    the busy timeout, corrupt): answers from the documents must not depend on it."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return make_engine(settings)
    except (SQLAlchemyError, OSError) as exc:
        where = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
        log.error(
            "The database %s cannot be used (%s): document answers go on, but messages, "
            "corrections and the tools that need stored data (SPC, failure risk, inspection "
            "records) wait until it is back.",
            where,
            str(exc).splitlines()[0][:200],
        )
        return None


def failure_model(directory: Path) -> FailureModel:
    """The failure model in `directory`, loaded once per process and training."""
    from tools.failure.model import FailureModel

    key = ("failure", directory.resolve())
    return load_model(key, directory, lambda: FailureModel.load(directory))


def defect_model(directory: Path, device: str = "auto") -> DefectModel:
    """The defect model in `directory`, loaded once per process and training on `device`."""
    from tools.defects.model import DefectModel

    key = ("defects", directory.resolve(), device)
    return load_model(key, directory, lambda: DefectModel.load(directory, device=device))


def intent_classifier(settings: Settings) -> IntentClassifier:
    """The intent classifier, loaded once per process and training; until it is trained each
    call raises `IntentModelMissing` saying when it will be (and looks again at the next
    call)."""
    from assistant.routing.classifier import IntentClassifier

    folder, threshold = settings.intent_model_dir, settings.intent_confidence_threshold
    key = ("intent", folder.resolve(), threshold)
    return load_model(key, folder, lambda: IntentClassifier.load(folder, threshold=threshold))


def when_ready(settings: Settings, name: str, load: Callable[[], T]) -> Callable[[], T]:
    """`load`, whose `ModelMissing` says which capability is not ready and when it will be
    (`assistant/readiness.py`: the background trainer's status file)."""
    from assistant.readiness import explained, status_file

    return explained(load, name, status_file(settings.data_dir))


def product_catalog(settings: Settings) -> ProductCatalog:
    """The products photos are inspected as (the demo one and those learnt), with each user's
    pick: one per process, shared by the chat's capability and its buttons."""
    from assistant.capabilities.defects.products import ProductCatalog

    directory, level = settings.products_dir, settings.product_defect_level
    key = ("products", directory.resolve(), level)
    return load_once(key, lambda: ProductCatalog(directory, defect_level=level))


def make_library(settings: Settings, chain: RagChain) -> Library:
    """Documents an admin attaches, kept in `data_dir/documents` and ingested there."""
    from assistant.capabilities.library.handler import Library
    from retrieval.ingest import ingest

    config = ingest_config(settings)
    embedder = chain.searcher.embedder
    return Library(settings.documents_dir, lambda paths: ingest(paths, config, embedder))


def make_router(settings: Settings, *, backend: str | None = None) -> Router:
    """The chain, the intent classifier (when trained), the database and every capability."""
    from assistant.capabilities.registry import make_capabilities
    from assistant.capabilities.spc.tool import spc_limits
    from assistant.routing.router import Router
    from assistant.tickets.chat_reply import TicketReply

    chain = make_chain(settings, backend=backend)
    engine = usable_engine(settings)
    capabilities = make_capabilities(
        chain,
        engine=engine,
        chart_dir=settings.temp_dirs[0],
        failure_model=when_ready(
            settings, "failure", lambda: failure_model(settings.failure_model_dir)
        ),
        defect_model=when_ready(
            settings, "defects", lambda: defect_model(settings.defect_model_dir, settings.device)
        ),
        heatmap_dir=settings.temp_dirs[1],
        library=make_library(settings, chain),
        ticket_reply=TicketReply(  # a pasted customer message, drafted like a ticket
            drafter_loader(settings, searcher=chain.searcher),
            triage_loader(settings),
            min_language_hits=settings.ticket_language_min_stopwords,
        ),
        spc_limits=spc_limits(settings),
        photo_pixels=(settings.max_photo_pixels, settings.photo_working_pixels),
        products=product_catalog(settings),
    )
    return Router(
        chain=chain,
        load_classifier=when_ready(settings, "intent", lambda: intent_classifier(settings)),
        threshold=settings.intent_confidence_threshold,
        engine=engine,
        capabilities=capabilities,
        max_stored_chars=settings.max_stored_message_chars,
        follow_up_switch=settings.follow_up_switch_confidence,
    )
