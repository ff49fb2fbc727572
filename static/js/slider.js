// Before/after comparison: drag, click or arrow keys move the divide (role=slider).

const STEP = 5; // percent per arrow key; Page keys move by 25
const SLOP = 8; // px a finger moves before its direction decides: drag the divide or scroll

function clamp(value) {
  return Math.min(100, Math.max(0, Math.round(value)));
}

/**
 * Build the slider inside `frame`: the whole original underneath, the result over it, cut
 * at the divide. The result is a transparent-cornered iris crop, so over the original
 * (aligned by alignToIris) it shows the processed iris in its own eye.
 */
export function createSlider(frame, { before, after, label }) {
  frame.replaceChildren();
  frame.classList.add("compare");
  const beforeImg = image(before, "Before processing");
  beforeImg.classList.add("compare-before");
  const afterImg = image(after, "After processing");
  afterImg.classList.add("compare-after");
  const handle = document.createElement("div");
  handle.className = "compare-handle";
  handle.tabIndex = 0;
  handle.setAttribute("role", "slider");
  handle.setAttribute("aria-label", label || "Before and after");
  handle.setAttribute("aria-valuemin", "0");
  handle.setAttribute("aria-valuemax", "100");
  frame.append(beforeImg, afterImg, handle);

  const set = (value) => {
    const percent = clamp(value);
    frame.style.setProperty("--split", `${percent}%`);
    handle.setAttribute("aria-valuenow", String(percent));
    handle.setAttribute("aria-valuetext", `${percent}% before, ${100 - percent}% after`);
  };
  const fromPointer = (event) => {
    const box = frame.getBoundingClientRect();
    set(((event.clientX - box.left) / box.width) * 100);
  };
  // A mouse moves the divide at once (click or drag). A finger must first move sideways:
  // vertical swipes belong to the page (touch-action: pan-y), so a phone can scroll past.
  let touch = null; // where a finger came down, until it proves a horizontal drag
  const grab = (event) => {
    frame.setPointerCapture(event.pointerId);
    fromPointer(event);
    handle.focus({ preventScroll: true });
  };
  frame.addEventListener("pointerdown", (event) => {
    if (event.pointerType === "mouse") grab(event);
    else touch = { id: event.pointerId, x: event.clientX, y: event.clientY };
  });
  frame.addEventListener("pointermove", (event) => {
    if (frame.hasPointerCapture(event.pointerId)) return fromPointer(event);
    if (!touch || touch.id !== event.pointerId) return;
    const dx = Math.abs(event.clientX - touch.x);
    const dy = Math.abs(event.clientY - touch.y);
    if (dx > SLOP && dx > dy) grab(event);
    if (dx > SLOP || dy > SLOP) touch = null;
  });
  const release = () => {
    touch = null;
  };
  frame.addEventListener("pointerup", release);
  frame.addEventListener("pointercancel", release);
  handle.addEventListener("keydown", (event) => {
    const now = Number(handle.getAttribute("aria-valuenow"));
    const moves = {
      ArrowLeft: now - STEP, ArrowDown: now - STEP, ArrowRight: now + STEP, ArrowUp: now + STEP,
      PageDown: now - 25, PageUp: now + 25, Home: 0, End: 100,
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    set(moves[event.key]);
  });
  set(50);
  return handle;
}

function image(src, alt) {
  const img = document.createElement("img");
  img.src = src;
  img.alt = alt;
  img.draggable = false;
  img.decoding = "async";
  return img;
}

const PADDING = 1.06; // the result's half-side in iris radii (irisd/pipeline/output.py)
const MASK_SIDE = 480; // the mask is measured on a copy this size at most: plenty for CSS

/** The iris crop's square in the original's pixels, measured from the job's mask PNG. */
async function irisSquare(maskUrl) {
  const mask = new Image();
  mask.src = maskUrl;
  await mask.decode();
  const scale = Math.min(1, MASK_SIDE / Math.max(mask.naturalWidth, mask.naturalHeight));
  const [w, h] = [mask.naturalWidth, mask.naturalHeight].map((n) => Math.max(1, Math.round(n * scale)));
  const canvas = document.createElement("canvas");
  Object.assign(canvas, { width: w, height: h });
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(mask, 0, 0, w, h);
  const found = widestRow(context.getImageData(0, 0, w, h).data, w, h);
  if (!found) return null;
  // The lids may hide the top and bottom of the iris, never its widest row: that row gives
  // the centre's height and the radius.
  const radius = found.width / 2 / scale;
  const half = Math.max(2, Math.ceil(radius * PADDING));
  const cx = (found.x0 + found.width / 2) / scale;
  const cy = (found.y + 0.5) / scale;
  return { x0: Math.round(cx) - half, y0: Math.round(cy) - half, side: 2 * half, width: mask.naturalWidth, height: mask.naturalHeight };
}

function widestRow(pixels, w, h) {
  let best = null;
  for (let y = 0; y < h; y += 1) {
    let first = -1;
    let last = -1;
    for (let x = 0; x < w; x += 1) {
      if (pixels[(y * w + x) * 4] > 127) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first >= 0 && (!best || last - first + 1 > best.width)) best = { x0: first, y: y, width: last - first + 1 };
  }
  return best;
}

/** Place the original so that the result's crop fills the frame, as the result does. */
export async function alignToIris(frame, maskUrl) {
  const square = await irisSquare(maskUrl);
  const before = frame.querySelector(".compare-before");
  if (!square || !before) return;
  // The mask has the decoded original's size; anything else (a test pipeline's stand-in
  // mask) cannot place it, and the original stays centred.
  await before.decode();
  const ratio = (before.naturalWidth / before.naturalHeight) / (square.width / square.height);
  if (Math.abs(ratio - 1) > 0.01) return;
  const percent = (n) => `${(n / square.side) * 100}%`;
  Object.assign(before.style, {
    width: percent(square.width),
    height: percent(square.height),
    left: percent(-square.x0),
    top: percent(-square.y0),
  });
  before.classList.add("aligned");
}
