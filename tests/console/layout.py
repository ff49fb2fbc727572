"""Where things lie on the page, as a user sees them: overlaps, centres, whole lines."""

from __future__ import annotations

from playwright.async_api import Locator

NARROWEST = 928  # px: a desktop window whose cards are the grid's least width (18 rem)

# Whether two elements' boxes share any area (one drawn over the other).
OVERLAP = """([a, b]) => {
  const [p, q] = [a.getBoundingClientRect(), b.getBoundingClientRect()];
  return p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom;
}"""

# A progress ring's box, its drawn circle and its visible text: all about one centre.
RING_GEOMETRY = """(ring) => {
  const centre = (el) => {
    const r = el.getBoundingClientRect();
    return [r.x + r.width / 2, r.y + r.height / 2, r];
  };
  const [x, y, box] = centre(ring);
  const [cx, cy] = centre(ring.querySelector(".ring-track"));
  const [tx, ty] = centre(ring.querySelector(".ring-text"));
  const off = Math.max(Math.abs(cx - x), Math.abs(cy - y), Math.abs(tx - x), Math.abs(ty - y));
  return { square: Math.abs(box.width - box.height) <= 1, off: Math.round(off) };
}"""

# The lines of text a scrolling box's window holds, its padding too (a scrolled line shows in
# it): a whole number of them, or one is cut in half.
SHOWN_LINES = """(el) => el.clientHeight / parseFloat(getComputedStyle(el).lineHeight)"""

# The characters an element's text wraps after (the last one on each line but the last).
WRAPS_AFTER = """(el) => {
  const text = el.textContent, range = document.createRange(), tops = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i += 1) {
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      tops.push(Math.round(range.getClientRects()[0]?.top ?? -1));
    }
  }
  return [...text].filter((_, i) => i + 1 < tops.length && tops[i + 1] > tops[i]);
}"""

# Resolves once the page has not scrolled for 10 frames: a fling after a swipe has ended.
SETTLED = """() => new Promise((done) => {
  let last = window.scrollY, same = 0;
  const frame = () => {
    same = window.scrollY === last ? same + 1 : 0;
    last = window.scrollY;
    if (same >= 10) done(last); else requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})"""


async def overlap(a: Locator, b: Locator) -> bool:
    """Whether `a` and `b` share any area on screen now."""
    handles = [await a.element_handle(), await b.element_handle()]
    found: bool = await a.page.evaluate(OVERLAP, handles)
    return found
