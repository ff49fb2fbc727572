"""Which packages a process loads: settings without the pipeline, the server without training.

Each check runs in a fresh interpreter, so that nothing this test process imported counts.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def loaded(code: str) -> set[str]:
    """The irisd modules (and torch, cv2) loaded after running `code`."""
    report = "import sys; print(' '.join(m for m in sys.modules if m.split('.')[0] in WATCH))"
    script = f"WATCH = {{'irisd', 'torch', 'cv2'}}\n{code}\n{report}"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    )
    return set(done.stdout.split())


def test_settings_load_without_the_pipeline() -> None:
    modules = loaded("from irisd import config; config.load(None, {})")
    assert not {m for m in modules if m.startswith("irisd.pipeline")}
    assert not modules & {"torch", "cv2"}


def test_the_server_and_its_workers_never_load_training() -> None:
    code = (
        "from irisd import cli; cli._register()\n"  # every eager command: serve, process, ...
        "from irisd.app import create_app\n"
        "from irisd.jobs import worker\n"
        "from irisd.pipeline import process\n"
        "from irisd.pipeline.segment import network; network.load()\n"
    )
    modules = loaded(code)
    assert "irisd.pipeline.segment.unet" in modules  # the check would see a loaded package
    assert not {m for m in modules if m.startswith("irisd.training")}
