// The page's one polite live region: short messages, each naming the photo it is about.

const KEPT = 3; // messages left in the region (the newest is read; older ones are history)

/** Say `text` to screen readers, after whatever they are saying. */
export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  // Each message is an addition (so two alike are both read), the oldest dropped.
  region.append(Object.assign(document.createElement("p"), { textContent: text }));
  while (region.children.length > KEPT) region.firstElementChild.remove();
}
