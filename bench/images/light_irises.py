"""Light-iris stress images made from real irises, with synthetic glints and window reflections.

Contact sheets of the real irises (`real_crops.iris_crops`) lifted into the light looks
(`light_looks.lighten`: a tone curve on CIELAB lightness and the look's hue, iris ring only),
with synthetic glints and a window reflection pasted on (`pasted_reflections.paste_glints`,
`paste_window`: added as light, each with its ground-truth mask). Rows: the original, then
one per look; columns: the iris, with glints, with a window. Same seed, same images.

    .venv/bin/python -m bench.images.light_irises --save /tmp/light   # contact sheets to look at
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from bench.lib.datasets import require_root
from bench.lib.light_looks import LIGHT_COLOURS, lighten
from bench.lib.pasted_reflections import paste_glints, paste_window
from bench.lib.real_crops import IrisCrop, iris_crops

# Looking -------------------------------------------------------------------------------------


def tile(rgb: np.ndarray, side: int = 240) -> np.ndarray:
    return np.asarray(cv2.resize(rgb, (side, side), interpolation=cv2.INTER_AREA))


def sheet(crop: IrisCrop, seed: int) -> np.ndarray:
    """One row per look (original first): the light iris, with glints, with a window."""
    rows = []
    for row, look in enumerate((None, *LIGHT_COLOURS.values())):
        base = (
            crop.rgb
            if look is None
            else lighten(crop.rgb, crop.visible, crop.iris, crop.pupil, look)
        )
        rng = np.random.default_rng([seed, row])
        glints, _ = paste_glints(base, crop.ring & ~crop.glare, crop.iris.r, rng)
        window, _ = paste_window(base, crop.ring & ~crop.glare, crop.iris.r, rng, clip=crop.cornea)
        rows.append(np.hstack([tile(base), tile(glints), tile(window)]))
    return np.vstack(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path, required=True, help="folder for the PNG sheets")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    crops = iris_crops(require_root())
    args.save.mkdir(parents=True, exist_ok=True)
    for index in (0, 21, 44, len(crops) - 6, len(crops) - 4, len(crops) - 1):
        crop = crops[index]
        path = args.save / f"light-{Path(crop.name).stem}.png"
        cv2.imwrite(str(path), sheet(crop, args.seed)[..., ::-1])
        print(path)


if __name__ == "__main__":
    main()
