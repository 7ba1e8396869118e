"""The inspection capability in the chat: an attached part photo through the defect model."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session

from assistant.answering.chain import ChainEvent, RagChain
from assistant.capabilities.base import Request, Upload, answer_event
from assistant.capabilities.defects.tool import inspect
from tools.common.errors import ModelMissing, PlantError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tools.defects.model import DefectModel

PHOTO_FILES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")
PHOTO_PROMPT = (
    "Attach a photo of the part (the paperclip next to the message box, PNG or JPEG) and I "
    "will check it for scratches, cracks, pits, stains and inclusions, grade it ok / minor / "
    "severe, show where the defect is, and quote what the defect catalogue says to do."
)


@dataclass
class DefectCapability:
    model: Callable[[], DefectModel]  # loads the trained model (once per process)
    heatmap_dir: Path
    chain: RagChain  # finds the defect catalogue's disposition
    engine: Engine | None = None  # where inspections are stored
    pixels: tuple[int, int] | None = None  # (most pixels per photo, working size) from settings

    def can_handle(self, request: Request) -> bool:
        return any(self.accepts(u) for u in request.uploads)

    def accepts(self, upload: Upload) -> bool:
        if upload.kind:  # screened: its bytes decide, not its name
            return upload.kind == "photo"
        return upload.name.lower().endswith(PHOTO_FILES)

    def handoff(self, request: Request) -> str | None:
        return PHOTO_PROMPT  # a message without a photo: how to send one

    def handle(self, request: Request) -> Iterator[ChainEvent]:
        photo = next(u for u in request.uploads if self.accepts(u))
        try:
            model = self.model()
        except ModelMissing as exc:
            raise PlantError(f"Photo inspection is not available yet: {exc}") from exc
        session = Session(self.engine) if self.engine is not None else None
        try:
            found = inspect(
                model,
                photo.path,
                session,
                name=photo.name,
                heatmap_dir=self.heatmap_dir,
                chain=self.chain,
                user=request.user,
                pixels=self.pixels,
            )
        finally:
            if session is not None:
                session.close()
        yield answer_event(
            request,
            f"**{photo.name}**: {found.text}",
            "inspection",
            citations=found.citations,
            images=[found.inspection.heatmap] if found.inspection.heatmap else [],
            tool_result=found.model_dump(mode="json"),
        )
