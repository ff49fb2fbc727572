"""What the arbitration of the two paths and the gate (input_quality.py) both judge an
outline by (their refusal texts are in refusals.py)."""

from __future__ import annotations

# Pupil centre to iris centre, in iris radii. An eye's pupil sits within about a tenth of the
# radius, a third at most when the gaze is off; further off, one circle was pulled onto the
# sclera or a lid, and the print would show skin. Right outlines stay below 0.25, wrong ones
# sit at 0.35 and beyond (bench/pipeline/segmentation.py, bench/pipeline/light_segmentation.py).
MAX_CONCENTRICITY = 0.3
