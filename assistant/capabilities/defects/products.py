"""Which product a photo is inspected as: the demo product and every learnt one, the name a
message gives, the pick remembered per user, and the models loaded once and shared.

Example:
    >>> named_in("inspect these Castings please", ["surface", "casting"])
    ['casting']
    >>> choose("is this ok?", ["surface", "casting"], remembered=None).product is None
    True
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from assistant.settings import setting_default

if TYPE_CHECKING:
    from tools.defects.product import ProductModel

DEMO_PRODUCT = "surface"  # the demo classifier, trained on generated surfaces
PRODUCT_COMMAND = re.compile(r"^\s*(?:inspect\s+as|product)\s+([\w -]{1,64}?)\s*[.!]?\s*$", re.I)
# "new product NAME", or "new product" alone (the name is then asked for)
NEW_PRODUCT_COMMAND = re.compile(r"^\s*new\s+product(?:\s+([\w-]{1,64}))?\s*[.!]?\s*$", re.I)

How = Literal["named", "remembered", "only", "ask"]


def forms(name: str) -> set[str]:
    """How a message may write a product's name: any case, '-' or '_' as a space, and the
    simple plural or singular ("casting" / "castings", "box" / "boxes")."""
    base = re.sub(r"[-_]+", " ", name.lower()).strip()
    found = {base, base + "s", base + "es"}
    if base.endswith("es"):
        found.add(base[:-2])
    if base.endswith("s"):
        found.add(base[:-1])
    return {f for f in found if f}


def named_in(message: str, names: list[str]) -> list[str]:
    """The products `message` names, as whole words (longest names first win overlaps)."""
    text = " " + re.sub(r"[^\w]+", " ", message.lower().replace("-", " ")).strip() + " "
    found: list[str] = []
    for name in sorted(names, key=len, reverse=True):
        said = any(f" {form} " in text for form in forms(name))
        if said and not any(name in other for other in found):  # "pump" in "pump-impeller"
            found.append(name)
    return sorted(found, key=names.index)


@dataclass(frozen=True)
class Choice:
    """The product chosen for a photo and why, or (`ask`) the products to choose from."""

    product: str | None
    how: How
    options: tuple[str, ...] = ()


def choose(message: str, names: list[str], remembered: str | None) -> Choice:
    """The product named in the message; else the remembered pick; else the only product;
    else ask (two names in one message are ambiguous too)."""
    named = named_in(message, names)
    if len(named) == 1:
        return Choice(named[0], "named")
    if not named and remembered in names:
        return Choice(remembered, "remembered")
    if len(names) == 1:
        return Choice(names[0], "only")
    return Choice(None, "ask", tuple(named or names))


@dataclass
class ProductPicks:
    """The product each user last chose, for their next photos (in this process; a new chat
    session forgets it)."""

    _picks: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, user: str | None) -> str | None:
        with self._lock:
            return self._picks.get(user or "")

    def remember(self, user: str | None, product: str) -> None:
        with self._lock:
            self._picks[user or ""] = product

    def forget(self, user: str | None) -> None:
        with self._lock:
            self._picks.pop(user or "", None)


@dataclass
class ProductCatalog:
    """The products a photo can be inspected as: the demo product, then those learnt in
    `products_dir`. Learnt models are loaded on first use, again when retrained, and share
    one backbone network; their verdicts draw a defect's region at `defect_level`."""

    products_dir: Path
    picks: ProductPicks = field(default_factory=ProductPicks)
    defect_level: float = setting_default("product_defect_level")
    _models: dict[str, tuple[int, ProductModel]] = field(default_factory=dict)
    _networks: dict[str, object] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def names(self) -> list[str]:
        from tools.defects.product_store import list_products

        learnt = [n for n in list_products(self.products_dir) if n != DEMO_PRODUCT]
        return [DEMO_PRODUCT, *learnt]

    def learnt(self, name: str) -> bool:
        return name != DEMO_PRODUCT and name in self.names()

    def model(self, name: str) -> ProductModel:
        """The learnt product's model (ProductMissing when there is none)."""
        from tools.defects.product_store import load_product, model_path

        path = model_path(self.products_dir, name)
        stamp = path.stat().st_mtime_ns if path.exists() else -1
        with self._lock:
            cached = self._models.get(name)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            model = load_product(self.products_dir, name)
            backbone = model.config.backbone
            if backbone not in self._networks:
                self._networks[backbone] = model.backbone()
            model.network = self._networks[backbone]
            self._models[name] = (stamp, model)
            return model
