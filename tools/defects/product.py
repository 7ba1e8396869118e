"""A product's anomaly model: its memory bank of good patches, thresholds and signature, and
the grade it gives a photo, with the anomalous region's area and bounding box."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tools.common.errors import PlantError
from tools.defects.defect_head import DefectHead
from tools.defects.patchcore import (
    PatchCoreConfig,
    bank_part,
    global_features,
    load_backbone,
    nearest_distances,
    patch_features,
    prepare,
    smooth_maps,
    with_view,
)

GRADES = ("ok", "minor", "severe")


class WrongProduct(PlantError):
    """The photo does not look like the product it is inspected as."""


@dataclass(frozen=True)
class Thresholds:
    """Image scores from `minor` up are graded minor, from `severe` up severe."""

    minor: float
    severe: float

    def grade(self, score: float) -> str:
        return "severe" if score >= self.severe else "minor" if score >= self.minor else "ok"


@dataclass
class Signature:
    """What the product looks like, measured two ways, so that a photo of another product is
    refused: (1) its global feature (mean patch feature) against those of the bank's good
    photos, nearest one; (2) its median patch distance to the memory bank. A defect changes
    a small share of the patches and moves neither much; another product moves at least one
    far. Each is a multiple of what held-out good photos showed (`typical`, `typical_patch`),
    allowed up to `limit` and `patch_limit`; `distances` gives the larger share of its
    allowance (above 1: refused)."""

    references: np.ndarray  # (M, D) global features of the bank's photos
    typical: float
    limit: float
    typical_patch: float = 1.0
    patch_limit: float = float("inf")

    @classmethod
    def unset(cls) -> Signature:
        """A placeholder while a model is being built: no references, refuses nothing."""
        return cls(np.zeros((0, 0), dtype=np.float32), typical=1.0, limit=float("inf"))

    @classmethod
    def fit(
        cls, references: np.ndarray, held_globals: np.ndarray, held_medians: np.ndarray,
        margin: float,
    ) -> Signature:  # fmt: skip
        """Scaled on held-out good photos: their mean is typical, and a photo `margin` times
        farther than the farthest of them is refused."""
        overall = nearest_distances(references, held_globals)
        typical, typical_patch = float(overall.mean()), float(held_medians.mean())
        return cls(
            references, typical=typical, limit=margin * float(overall.max()) / typical,
            typical_patch=typical_patch,
            patch_limit=margin * float(held_medians.max()) / typical_patch,
        )  # fmt: skip

    def distances(self, global_features: np.ndarray, medians: np.ndarray) -> np.ndarray:
        """Share of the allowed distance per photo (N,), the larger of the two measures."""
        if not len(self.references):
            return np.zeros(len(global_features), dtype=np.float32)
        overall = nearest_distances(self.references, global_features) / self.typical
        patches = medians / self.typical_patch
        return np.maximum(overall / self.limit, patches / self.patch_limit)


@dataclass
class Scores:
    """Per photo: its anomaly map at the working size, its image score (the map's peak),
    its global feature and median patch distance, and its share of the distance from the
    product's signature a photo of it may lie at (above 1: another product)."""

    maps: np.ndarray
    image: np.ndarray
    distance: np.ndarray
    globals: np.ndarray  # (N, D)
    medians: np.ndarray  # (N,)


@dataclass
class Verdict:
    """What inspection found on one photo; `anomaly_map` has the photo's own resolution."""

    grade: str
    anomaly_score: float
    threshold: float
    severe_threshold: float
    anomaly_map: np.ndarray
    area_px: int
    bbox: tuple[int, int, int, int] | None  # x0, y0, x1, y1 (exclusive), photo pixels
    signature_distance: float


@dataclass
class ProductModel:
    name: str
    config: PatchCoreConfig
    bank: np.ndarray  # (K, D) float32 coreset of good-patch features
    thresholds: Thresholds
    signature: Signature
    metrics: dict[str, Any] = field(default_factory=dict)
    version: str = ""
    head: DefectHead | None = None  # learnt from masked defect photos, when there were some
    network: Any = None  # the backbone, loaded on first use

    def backbone(self) -> Any:
        if self.network is None:
            self.network = load_backbone(self.config.backbone)
        return self.network

    def features(self, images: list[np.ndarray]) -> np.ndarray:
        """Patch features (N, grid, grid, D) of photos of any size and mode; with a head view,
        that view's features follow (N, grid, grid, 2 D)."""
        fine = patch_features(self.backbone(), prepare(images, self.config.working_size),
                              self.config)  # fmt: skip
        if not self.config.head_view:
            return fine.numpy()
        x = prepare(images, self.config.head_view)
        return with_view(fine, patch_features(self.backbone(), x, self.config)).numpy()

    def patch_distances(self, features: np.ndarray) -> np.ndarray:
        """Each patch's distance to the memory bank: (N, grid, grid, D) -> (N, grid, grid)."""
        own = bank_part(features, self.config)
        count, grid, _, dims = own.shape
        return nearest_distances(self.bank, own.reshape(-1, dims)).reshape(count, grid, grid)

    def score_features(self, features: np.ndarray, distances: np.ndarray | None = None) -> Scores:
        """The photos' scores from their features; `distances`: their `patch_distances`
        where the caller has them already."""
        count = len(features)
        patch = self.patch_distances(features) if distances is None else distances
        anomaly = patch if self.head is None else self.head.combine(patch, features)
        maps = smooth_maps(anomaly, self.config)
        overall = global_features(bank_part(features, self.config))
        medians = np.median(patch.reshape(count, -1), axis=1)  # the signature's: distances
        return Scores(
            maps=maps, image=maps.reshape(count, -1).max(axis=1),
            distance=self.signature.distances(overall, medians), globals=overall, medians=medians,
        )  # fmt: skip

    def score(self, images: list[np.ndarray]) -> Scores:
        return self.score_features(self.features(images))

    def assess(self, image: np.ndarray, *, check_product: bool = True) -> Verdict:
        """Grade one photo; a photo far from the product's signature raises WrongProduct."""
        scores = self.score([image])
        distance = float(scores.distance[0])
        if check_product and distance > 1.0:
            raise WrongProduct(
                f"This photo does not look like a '{self.name}': it lies {distance:.1f} times "
                "as far from its good photos as a photo of it may. Inspect it as the product "
                "it shows, or train a model for that product."
            )
        height, width = np.asarray(image).shape[:2]
        anomaly_map = resize_map(scores.maps[0], height, width)
        score = float(scores.image[0])
        grade = self.thresholds.grade(score)
        area, bbox = region(anomaly_map, self.thresholds.minor) if grade != "ok" else (0, None)
        return Verdict(
            grade=grade, anomaly_score=score, threshold=self.thresholds.minor,
            severe_threshold=self.thresholds.severe, anomaly_map=anomaly_map,
            area_px=area, bbox=bbox, signature_distance=distance,
        )  # fmt: skip


def resize_map(anomaly_map: np.ndarray, height: int, width: int) -> np.ndarray:
    """A working-size map brought to a photo's resolution (bilinear)."""
    import torch

    resized = torch.nn.functional.interpolate(
        torch.as_tensor(anomaly_map, dtype=torch.float32)[None, None],
        size=(height, width), mode="bilinear", align_corners=False,
    )  # fmt: skip
    return resized[0, 0].numpy()


def region(
    anomaly_map: np.ndarray, threshold: float
) -> tuple[int, tuple[int, int, int, int] | None]:
    """Area in pixels of everything at or above `threshold`, and the bounding box of the
    connected region around the map's peak (the defect itself)."""
    from scipy.ndimage import label

    above = anomaly_map >= threshold
    if not above.any():
        return 0, None
    labels, _ = label(above)
    peak = np.unravel_index(int(np.argmax(anomaly_map)), anomaly_map.shape)
    ys, xs = np.nonzero(labels == labels[peak])
    bbox = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    return int(above.sum()), bbox
