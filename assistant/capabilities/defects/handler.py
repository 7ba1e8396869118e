"""The inspection capability in the chat: an attached part photo inspected as a product — the
demo product (generated surfaces, the demo defect model) or one learnt from good photos."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from assistant.answering.chain import ChainEvent, RagChain
from assistant.capabilities.base import Request, Upload, answer_event
from assistant.capabilities.defects.products import DEMO_PRODUCT, Choice, ProductCatalog, choose
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
ASK_PRODUCT = (
    'Which product is in **{photo}**? Pick one below, or name it in your message ("inspect '
    'this {example}"); I will use it for your next photos too.'
)
PICKED = {
    "named": "*Inspected as '{product}'; your next photos will be too (send \"product NAME\" "
    "or use a button to change).*",
    "remembered": "*Inspected as '{product}', the product you picked (send \"product NAME\" "
    "or use a button to change).*",
    "only": "",
}
NOT_ANY = (
    "**{photo}** does not look like any product I know ({known}), so it was not graded. {why} "
    'An admin can teach me a new product from a zip of good-part photos ("new product NAME").'
)
LOOKS_LIKE = (
    "**{photo}** does not look like a '{product}'; it looks like a '{other}'. Inspect it as "
    "'{other}' with the button below, or send it again with the product's name."
)


@dataclass
class DefectCapability:
    model: Callable[[], DefectModel]  # loads the trained model (once per process)
    heatmap_dir: Path
    chain: RagChain  # finds the defect catalogue's disposition
    engine: Engine | None = None  # where inspections are stored
    pixels: tuple[int, int] | None = None  # (most pixels per photo, working size) from settings
    products: ProductCatalog | None = None  # learnt products; None: the demo product only

    def can_handle(self, request: Request) -> bool:
        return any(self.accepts(u) for u in request.uploads)

    def accepts(self, upload: Upload) -> bool:
        if upload.kind:  # screened: its bytes decide, not its name
            return upload.kind == "photo"
        return upload.name.lower().endswith(PHOTO_FILES)

    def handoff(self, request: Request) -> str | None:
        return PHOTO_PROMPT  # a message without a photo: how to send one

    def choice(self, request: Request) -> tuple[Choice, list[str]]:
        """The product this request's photo is inspected as (remembered when named), and
        every product there is."""
        if self.products is None:
            return Choice(DEMO_PRODUCT, "only"), [DEMO_PRODUCT]
        names = self.products.names()
        picks = self.products.picks
        found = choose(request.message, names, picks.get(request.user))
        if found.how == "named" and found.product is not None:
            picks.remember(request.user, found.product)
        return found, names

    def handle(self, request: Request) -> Iterator[ChainEvent]:
        photo = next(u for u in request.uploads if self.accepts(u))
        found, names = self.choice(request)
        if found.product is None:
            example = next((n for n in found.options if n != DEMO_PRODUCT), found.options[0])
            text = ASK_PRODUCT.format(photo=photo.name, example=example)
            result = {"choose_product": list(found.options), "photo": photo.name}
            yield answer_event(request, text, "inspection", tool_result=result)
            return
        note = PICKED[found.how].format(product=found.product)
        others = [n for n in names if n != found.product]
        if found.product != DEMO_PRODUCT:
            yield self._as_product(request, photo, found.product, note, others)
            return
        try:
            model = self.model()
        except ModelMissing as exc:  # wiring's loader says which capability and when it is ready
            raise PlantError(str(exc)) from exc
        session = Session(self.engine) if self.engine is not None else None
        try:
            found_demo = inspect(
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
        shown = found_demo.model_dump(mode="json")
        yield answer_event(
            request,
            "\n\n".join(t for t in (f"**{photo.name}**: {found_demo.text}", note) if t),
            "inspection",
            citations=found_demo.citations,
            images=[found_demo.inspection.heatmap] if found_demo.inspection.heatmap else [],
            tool_result={
                **shown,
                "product": DEMO_PRODUCT,
                "product_options": others,
                "photo": photo.name,
            },
        )

    def _as_product(
        self, request: Request, photo: Upload, product: str, note: str, others: list[str]
    ) -> ChainEvent:
        """The verdict on `photo` as the learnt `product`; a photo of another product is
        refused, naming the product it looks like when one of the others fits."""
        from assistant.capabilities.defects.verdict import inspect_as_product
        from tools.defects.product import WrongProduct

        assert self.products is not None
        session = Session(self.engine) if self.engine is not None else None
        try:
            verdict = inspect_as_product(
                self.products.model(product), photo.path, session, name=photo.name,
                heatmap_dir=self.heatmap_dir, chain=self.chain, user=request.user,
                pixels=self.pixels, defect_level=self.products.defect_level,
            )  # fmt: skip
        except WrongProduct as exc:
            return self._refused(request, photo, product, str(exc))
        finally:
            if session is not None:
                session.close()
        text = "\n\n".join(t for t in (f"**{photo.name}**: {verdict.text}", note) if t)
        heatmap = verdict.inspection.heatmap
        return answer_event(
            request, text, "inspection", citations=verdict.citations,
            images=[heatmap] if heatmap else [],
            tool_result={**verdict.model_dump(mode="json", exclude={"text", "citations"}),
                         "product": product, "product_options": others, "photo": photo.name},
        )  # fmt: skip

    def _refused(self, request: Request, photo: Upload, product: str, why: str) -> ChainEvent:
        assert self.products is not None
        learnt = [n for n in self.products.names() if n != DEMO_PRODUCT]
        fits = [n for n in learnt if n != product and self._fits(n, photo.path)]
        if fits:
            text = LOOKS_LIKE.format(photo=photo.name, product=product, other=fits[0])
        else:
            text = NOT_ANY.format(photo=photo.name, known=", ".join(learnt), why=why)
        result: dict[str, Any] = {"refused": "wrong_product", "product": product,
                                  "product_options": fits, "photo": photo.name}  # fmt: skip
        return answer_event(request, text, "inspection", tool_result=result)

    def _fits(self, product: str, path: Path) -> bool:
        """Whether the photo lies within `product`'s signature (looks like that product)."""
        from tools.defects.images import load_photo

        assert self.products is not None
        model = self.products.model(product)
        image, _ = load_photo(path.read_bytes(), name=path.name, min_side=model.config.working_size)
        return bool(model.score([image]).distance[0] <= 1.0)
