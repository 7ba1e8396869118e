"""Every intent to the capability that serves it, assembled from what is available."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.capabilities.base import Capability
from assistant.capabilities.conversation.handler import GREETING, REFUSAL, FixedReply
from assistant.capabilities.documents.handler import Documents
from retrieval.search import SearchFilter

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from assistant.answering.chain import RagChain
    from assistant.capabilities.defects.products import ProductCatalog
    from tools.defects.model import DefectModel
    from tools.failure.model import FailureModel
    from tools.spc.limits import SpcLimits


def make_capabilities(
    chain: RagChain,
    *,
    engine: Engine | None = None,
    chart_dir: Path | None = None,
    failure_model: Callable[[], FailureModel] | None = None,
    defect_model: Callable[[], DefectModel] | None = None,
    heatmap_dir: Path | None = None,
    library: Capability | None = None,
    spc_limits: SpcLimits | None = None,
    photo_pixels: tuple[int, int] | None = None,
    ticket_reply: Capability | None = None,
    products: ProductCatalog | None = None,
) -> dict[str, Capability]:
    """The documents and fixed replies always; each tool when what it needs is given; the
    library (documents an admin attaches) under `add_documents`, which no message is routed
    to: only uploads reach it. `ticket_reply` (the ticket drafter) replaces the chain's
    reply style for customer messages, in that route and in a profile whose style is a
    reply. `products` (the learnt products) lets the inspection take them; without it,
    photos are inspected as the demo product only."""
    found: dict[str, Capability] = {
        "manual_question": Documents(chain, replies=ticket_reply),
        "onboarding": Documents(chain, SearchFilter(audience=["new_staff"])),
        "ticket_reply": ticket_reply
        or Documents(chain, SearchFilter(audience=["customer_service"]), "reply"),
        "smalltalk": FixedReply(GREETING),
        "out_of_scope": FixedReply(REFUSAL),
    }
    if engine is not None and chart_dir is not None:
        from assistant.capabilities.spc.handler import SpcCapability

        spc = SpcCapability(engine, chart_dir, chain)
        if spc_limits is not None:
            spc.limits = spc_limits
        found["spc_analysis"] = spc
    if engine is not None and failure_model is not None:
        from assistant.capabilities.failure.handler import FailureCapability

        found["failure_risk"] = FailureCapability(engine, failure_model, chain)
    if defect_model is not None and heatmap_dir is not None:
        from assistant.capabilities.defects.handler import DefectCapability

        found["defect_inspection"] = DefectCapability(
            defect_model, heatmap_dir, chain, engine, pixels=photo_pixels, products=products
        )
    if library is not None:
        found["add_documents"] = library
    return found
