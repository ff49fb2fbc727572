"""Segmentation: where the iris is, and which of it is visible. One module per job:

    localise.py       the classical iris and pupil circles on a small working copy
    circle_search.py  the edge scores and the circle search both paths refine with
    unet.py           the network (a small U-Net), its input transform and weights file
    network.py        the process-wide network, loaded once
    fit.py            circles fitted to the network's map, and how an outline sits on it
    candidates.py     one path's circles judged against that map
    arbitrate.py      the classical and the learned outline: which one stands, or a refusal
    limits.py         what the arbitration and the gate (input_quality.py) both judge by
    fuse.py           the visible-iris mask from both paths' votes
    eyelids.py        the classical visible-iris mask (lids, lashes, noise)
    outline.py        the steps in order: locate, refine on a detail crop, the mask

The rest of the pipeline uses what this face exports.
"""

from __future__ import annotations

from irisd.pipeline.segment.outline import LIMBUS_INSET, Segmentation, chroma, locate, outline

__all__ = ["LIMBUS_INSET", "Segmentation", "chroma", "locate", "outline"]
