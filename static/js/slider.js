// Before/after comparison: drag, click or arrow keys move the divide (role=slider).

const STEP = 5; // percent per arrow key; Page keys move by 25

function clamp(value) {
  return Math.min(100, Math.max(0, Math.round(value)));
}

/** Build the slider inside `frame`: the before image is clipped over the after image. */
export function createSlider(frame, { before, after, label }) {
  frame.replaceChildren();
  frame.classList.add("compare");
  const afterImg = image(after, "After processing");
  const beforeImg = image(before, "Before processing");
  beforeImg.classList.add("compare-before");
  const handle = document.createElement("div");
  handle.className = "compare-handle";
  handle.tabIndex = 0;
  handle.setAttribute("role", "slider");
  handle.setAttribute("aria-label", label || "Before and after");
  handle.setAttribute("aria-valuemin", "0");
  handle.setAttribute("aria-valuemax", "100");
  frame.append(afterImg, beforeImg, handle);

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
  frame.addEventListener("pointerdown", (event) => {
    frame.setPointerCapture(event.pointerId);
    fromPointer(event);
    handle.focus({ preventScroll: true });
  });
  frame.addEventListener("pointermove", (event) => {
    if (frame.hasPointerCapture(event.pointerId)) fromPointer(event);
  });
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
