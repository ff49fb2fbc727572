"""The contrast of a focus ring against what it is drawn on, in light and dark."""

from __future__ import annotations

from playwright.async_api import Locator

# WCAG contrast in page JavaScript: rgb(text) parses a CSS colour, ratio(a, b) compares two.
_CONTRAST = """
  const rgb = (text) => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const linear = (v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  const lum = (c) => {
    const [r, g, b] = c.map((v) => linear(v / 255));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
"""

# The page's focus-ring colour (--focus-ring) against its panel and its background.
THEME_RING_CONTRAST = (
    "() => {"
    + _CONTRAST
    + """
  const probe = (name) => {
    const el = document.createElement("div");
    el.style.color = `var(${name})`;
    document.body.append(el);
    const value = rgb(getComputedStyle(el).color);
    el.remove();
    return value;
  };
  const ring = probe("--focus-ring");
  return Math.min(ratio(ring, probe("--panel")), ratio(ring, probe("--bg")));
}"""
)

# (element, its pseudo-element or null, the element whose background the ring sits on, its
# pseudo or null) -> the best contrast of the ring's box-shadow colours (those with a spread:
# rings, not soft shadows) against that background.
RING_CONTRAST = (
    "([el, pseudo, under, underPseudo]) => {"
    + _CONTRAST
    + """
  const back = rgb(getComputedStyle(under, underPseudo).backgroundColor);
  const shadows = getComputedStyle(el, pseudo).boxShadow.split(/,(?![^(]*\\))/);
  const colour = /rgba?\\([^)]*\\)/;
  const rings = shadows
    .map((s) => [s.match(colour), s.replace(colour, "").trim().split(/\\s+/)])
    .filter(([colour, sizes]) => colour && parseFloat(sizes[3] || "0") > 0)
    .map(([colour]) => ratio(rgb(colour[0]), back));
  return rings.length ? Math.max(...rings) : 0;
}"""
)


async def ring_contrasts(
    focused: Locator, under: Locator, pseudo: str | None = None, under_pseudo: str | None = None
) -> dict[str, float]:
    """The ring's contrast in the light and the dark scheme (the page is left light)."""
    page = focused.page
    found = {}
    for scheme in ("light", "dark"):
        await page.emulate_media(color_scheme=scheme)
        args = [await focused.element_handle(), pseudo, await under.element_handle(), under_pseudo]
        found[scheme] = await page.evaluate(RING_CONTRAST, args)
    await page.emulate_media(color_scheme="light")
    return found
