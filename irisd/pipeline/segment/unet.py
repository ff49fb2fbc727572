"""The learned iris/pupil segmenter: a small U-Net, its input transform and its weights file.

Interface used by the pipeline:

    segmenter = load_segmenter()          # None when models/segmenter.pt is absent
    probs = segmenter.predict(rgb)        # (H, W, 3) float32: background, iris, pupil

`predict` runs coarse-to-fine: one pass on the whole (letterboxed) photo finds the eye; when
the iris is small in the frame, a second pass on a square crop around it gives the mask.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from irisd.resources import MODELS_DIR

CLASSES = ("background", "iris", "pupil")
INPUT_SIZE = 160
CHANNELS = (8, 16, 32, 64, 128)
FORMAT_VERSION = 1
DEFAULT_PATH = MODELS_DIR / "segmenter.pt"  # shipped with the package (irisd.resources)
# A second pass runs on a square of this many iris radii around the iris found by the first.
CROP_RADII = 5.0
# ... when that square is smaller than this fraction of the photo's longer side.
REFINE_BELOW = 0.7


def _block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
        nn.Conv2d(c_out, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    """U-Net with max-pool down, bilinear up and concatenated skips.

    forward: (N, 3, S, S) float32 normalised image, S divisible by 2**(len(channels)-1)
    → (N, len(CLASSES), S, S) float32 logits.
    """

    def __init__(self, channels: tuple[int, ...] = CHANNELS, classes: int = len(CLASSES)) -> None:
        super().__init__()
        self.down = nn.ModuleList()
        c = 3
        for out in channels:
            self.down.append(_block(c, out))
            c = out
        self.up = nn.ModuleList()
        for out in reversed(channels[:-1]):
            self.up.append(_block(c + out, out))
            c = out
        self.head = nn.Conv2d(c, classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips: list[torch.Tensor] = []
        for i, block in enumerate(self.down):
            x = block(F.max_pool2d(x, 2) if i else x)
            skips.append(x)
        skips.pop()
        for block in self.up:
            x = F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)
            x = block(torch.cat([x, skips.pop()], dim=1))
        out: torch.Tensor = self.head(x)
        return out


@dataclass(frozen=True)
class Letterbox:
    """Where an image sits inside the square network input: top-left offset and scale."""

    scale: float
    top: int
    left: int
    height: int  # the resized image's size inside the square
    width: int


def to_input(rgb: np.ndarray, size: int = INPUT_SIZE) -> tuple[np.ndarray, Letterbox]:
    """Letterbox an (H, W, 3) uint8 RGB image into (3, size, size) float32, zero-mean per image.

    The image is resized (aspect kept) to fit, centred, standardised over its own pixels
    (mean 0, std 1 per channel); the padding is 0.
    """
    h, w = rgb.shape[:2]
    scale = size / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    small = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA).astype(np.float32)
    mean = small.reshape(-1, 3).mean(axis=0)
    std = max(float(small.std()), 8.0)
    out = np.zeros((size, size, 3), np.float32)
    top, left = (size - nh) // 2, (size - nw) // 2
    out[top : top + nh, left : left + nw] = (small - mean) / std
    return out.transpose(2, 0, 1).copy(), Letterbox(scale, top, left, nh, nw)


def from_output(probs: np.ndarray, box: Letterbox, shape: tuple[int, int]) -> np.ndarray:
    """Undo `to_input`: (C, S, S) probabilities → (H, W, C) float32 at `shape` = (H, W)."""
    inner = probs[:, box.top : box.top + box.height, box.left : box.left + box.width]
    hwc = np.ascontiguousarray(inner.transpose(1, 2, 0))
    out: np.ndarray = cv2.resize(hwc, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)
    return out.reshape(shape[0], shape[1], -1).astype(np.float32, copy=False)


class Segmenter:
    """A loaded U-Net on a device; `predict` maps RGB photos to class probabilities."""

    def __init__(self, model: UNet, device: str, input_size: int = INPUT_SIZE) -> None:
        self.model = model.to(device).eval()
        self.device = device
        self.input_size = input_size

    def predict(self, rgb: np.ndarray) -> np.ndarray:
        """(H, W, 3) uint8 RGB, any size → (H, W, 3) float32 probabilities (bg, iris, pupil).

        Each pixel's three probabilities sum to 1.
        """
        h, w = rgb.shape[:2]
        coarse = self._run(rgb)
        crop = _refine_window(coarse, h, w)
        if crop is None:
            return from_output(coarse[0], coarse[1], (h, w))
        y0, y1, x0, x1 = crop
        out = np.zeros((h, w, len(CLASSES)), np.float32)
        out[..., 0] = 1.0
        fine = self._run(rgb[y0:y1, x0:x1])
        out[y0:y1, x0:x1] = from_output(fine[0], fine[1], (y1 - y0, x1 - x0))
        return out

    def _run(self, rgb: np.ndarray) -> tuple[np.ndarray, Letterbox]:
        """One network pass: (C, S, S) float32 probabilities in input space and the letterbox.

        The image and its mirror go through as a batch of two; their probabilities are averaged.
        """
        x, box = to_input(rgb, self.input_size)
        with torch.inference_mode():
            batch = torch.from_numpy(x)[None].to(self.device)
            logits = self.model(torch.cat([batch, batch.flip(3)]))
            probs = torch.softmax(logits.float(), dim=1)
            mean = (probs[0] + probs[1].flip(2)) / 2
        return mean.cpu().numpy(), box


def _refine_window(
    coarse: tuple[np.ndarray, Letterbox], h: int, w: int
) -> tuple[int, int, int, int] | None:
    """The (y0, y1, x0, x1) crop around the iris for a second pass, or None if not worth it."""
    probs, box = coarse
    eye = (probs.argmax(axis=0) > 0).astype(np.uint8)
    count, _, stats, centroids = cv2.connectedComponentsWithStats(eye, connectivity=8)
    if count < 2:
        return None
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    if stats[best, cv2.CC_STAT_AREA] < 6:
        return None
    radius_in = max(stats[best, cv2.CC_STAT_WIDTH], stats[best, cv2.CC_STAT_HEIGHT]) / 2
    radius_in = max(radius_in, float(np.sqrt(stats[best, cv2.CC_STAT_AREA] / np.pi)))
    side = CROP_RADII * radius_in / box.scale
    if side >= REFINE_BELOW * max(h, w):
        return None
    cx = (centroids[best][0] - box.left) / box.scale
    cy = (centroids[best][1] - box.top) / box.scale
    half = max(side / 2, 16.0)
    x0, x1 = max(0, int(cx - half)), min(w, int(cx + half) + 1)
    y0, y1 = max(0, int(cy - half)), min(h, int(cy + half) + 1)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    return y0, y1, x0, x1


def save_weights(model: UNet, path: Path, extra: dict[str, Any] | None = None) -> None:
    """Write the state_dict and metadata (classes, input size, channels, version) to `path`."""
    meta: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "classes": list(CLASSES),
        "input_size": INPUT_SIZE,
        "channels": list(CHANNELS),
        **(extra or {}),
    }
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": state, "meta": meta}, path)


def default_device() -> str:
    """'cuda' when a GPU is available, else 'cpu'."""
    return "cuda" if torch.cuda.is_available() else "cpu"


def load_segmenter(device: str | None = None, path: Path | None = None) -> Segmenter | None:
    """The segmenter from `path` (default models/segmenter.pt) on `device`, once per process.

    Returns None when the weights file does not exist (the caller falls back to the
    classical path; it must never invent a mask).
    """
    return _load(device or default_device(), (path or DEFAULT_PATH).resolve())


@functools.cache
def _load(device: str, path: Path) -> Segmenter | None:
    if not path.is_file():
        return None
    blob = torch.load(path, map_location=device, weights_only=True)
    meta = blob["meta"]
    model = UNet(tuple(meta["channels"]), len(meta["classes"]))
    model.load_state_dict(blob["state_dict"])
    return Segmenter(model, device, int(meta["input_size"]))
