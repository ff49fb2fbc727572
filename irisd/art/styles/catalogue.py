"""The app's 15 style presets, as its backend seeds them and its screens show them.

The app's backend keys a preset by a random UUID and names it by `name`; irisd has no seed
table to look a UUID up in, so a preset's `id` here is its stable `name` ("cosmic_iris").
`sort_order` is the order within its tier, as the app lists free and premium apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    id: str
    name: str
    display_name: str
    description: str
    category: str  # one of the app's StyleCategory values
    tier: str  # "free" | "premium", as the app lists it; every preset is available here
    sort_order: int


class UnknownPreset(ValueError):
    """No preset has that id."""


def _preset(
    name: str, display_name: str, description: str, category: str, tier: str, sort_order: int
) -> Preset:
    return Preset(name, name, display_name, description, category, tier, sort_order)


PRESETS: tuple[Preset, ...] = (
    _preset(
        "cosmic_iris",
        "Cosmic Iris",
        "Transform your iris into a cosmic nebula with swirling galaxies and starlight",
        "cosmic",
        "free",
        0,
    ),
    _preset(
        "watercolor_dream",
        "Watercolor Dream",
        "Soft, flowing watercolor painting with gentle brush strokes",
        "watercolor",
        "free",
        1,
    ),
    _preset(
        "pop_vision",
        "Pop Vision",
        "Bold pop art style with vibrant colors and strong contrasts",
        "pop_art",
        "free",
        2,
    ),
    _preset(
        "minimal_lines",
        "Minimal Lines",
        "Clean, minimalist design with elegant line work",
        "minimalist",
        "free",
        3,
    ),
    _preset(
        "natures_eye",
        "Nature's Eye",
        "Organic patterns inspired by leaves, flowers, and natural textures",
        "nature",
        "free",
        4,
    ),
    _preset(
        "oil_master",
        "Oil Master",
        "Rich, textured oil painting with classical techniques",
        "oil_painting",
        "premium",
        0,
    ),
    _preset(
        "neon_pulse",
        "Neon Pulse",
        "Electric neon glow with futuristic abstract patterns",
        "abstract",
        "premium",
        1,
    ),
    _preset(
        "crystal_geometry",
        "Crystal Geometry",
        "Crystalline geometric patterns with sharp, prismatic edges",
        "geometric",
        "premium",
        2,
    ),
    _preset(
        "aurora_flow",
        "Aurora Flow",
        "Flowing northern lights with ethereal color gradients",
        "cosmic",
        "premium",
        3,
    ),
    _preset(
        "monets_garden",
        "Monet's Garden",
        "Impressionist masterpiece inspired by Claude Monet",
        "watercolor",
        "premium",
        4,
    ),
    _preset(
        "stained_glass",
        "Stained Glass",
        "Luminous stained glass window with colored light",
        "geometric",
        "premium",
        5,
    ),
    _preset(
        "digital_glitch",
        "Digital Glitch",
        "Cyberpunk glitch art with digital artifacts and distortion",
        "abstract",
        "premium",
        6,
    ),
    _preset(
        "golden_hour",
        "Golden Hour",
        "Warm, golden sunset glow with natural amber tones",
        "nature",
        "premium",
        7,
    ),
    _preset(
        "ink_wash",
        "Ink Wash",
        "Traditional East Asian ink wash painting (sumi-e)",
        "minimalist",
        "premium",
        8,
    ),
    _preset(
        "fire_and_ice",
        "Fire & Ice",
        "Dramatic contrast of fiery reds and icy blues",
        "abstract",
        "premium",
        9,
    ),
)

_BY_ID = {p.id: p for p in PRESETS}


def preset(preset_id: str) -> Preset:
    """The preset called `preset_id`; UnknownPreset when there is none."""
    try:
        return _BY_ID[preset_id]
    except KeyError:
        raise UnknownPreset(f"unknown style preset: {preset_id!r}") from None
