"""Where the web console (`static/`) and the shipped weights (`models/`) are.

The repository keeps both folders at its top level, beside the package. A wheel
(`pip install .`, the Docker image) carries them inside the package, as irisd/static and
irisd/models: pyproject.toml maps the two folders there. So an installed package finds them
beside its own modules, and a source checkout (an editable install, or the repository on
PYTHONPATH, as the tests run it) at the repository's root.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """The folder `name` ("static", "models") of an installed package, else of the checkout."""
    packaged = PACKAGE / name
    return packaged if packaged.is_dir() else PACKAGE.parent / name


STATIC_DIR = resource_dir("static")
MODELS_DIR = resource_dir("models")
