"""What a refused photo is told: one friendly sentence per cause, with what to do.

Raised as `QualityIssue(text)` by the gate (input_quality.py), the outline's arbitration
(segment/arbitrate.py) and the result's cover check (result_quality.py); the API and the
console show the text as it is.
"""

NOT_FOUND = "We couldn't find an iris in this photo."
TOO_DARK = "This photo is too dark. Take it in brighter light, without covering the lens."
TOO_BRIGHT = "This photo is overexposed. Avoid direct light or turn off the flash."
TOO_SMALL = "Your iris is too small in this photo. Move the camera closer to your eye."
LOW_RESOLUTION = (
    "This photo's resolution is too low for an iris print. Send the original photo, not a"
    " thumbnail or screenshot, or take it at the camera's full resolution."
)
REFLECTIONS = (
    "Strong reflections cover your iris. Turn away from windows and lamps, or shade the eye."
)
LIDS = (
    "Your eyelids or lashes cover too much of your iris. Open your eye wider and look"
    " straight at the camera."
)
BLURRY = "This photo looks blurry. Hold the camera steady and tap to focus on your eye."
CLOSED = "Your eye looks closed or covered. Open your eye wide and look at the camera."
CUT_OFF = "Your iris is cut off at the edge of the photo. Centre your eye in the frame."
NOT_AN_EYE = (
    "This doesn't look like a close-up of an eye. Fill the frame with one eye, in even light,"
    " and try again."
)
UNSURE = (
    "We couldn't outline your iris reliably in this photo. Hold the camera straight in"
    " front of your eye, in even light, and try again."
)
# Words a refusal for an eye looking past the camera (gaze.py measures it).
GAZE = "Your eye is turned away from the camera. Look straight into the lens and try again."
