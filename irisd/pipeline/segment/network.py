"""The process-wide segmentation network, loaded once (a worker's warm-up) or not at all."""

from __future__ import annotations


def load() -> object | None:
    """The process-wide segmenter, or None when the module or its weights are missing."""
    try:
        from irisd.pipeline.segment.unet import load_segmenter
    except ImportError:
        return None
    return load_segmenter()
