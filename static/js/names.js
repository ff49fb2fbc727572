// Whose photo it is: the name a card, an announcement and a download use.

/** The photo's label, else its file name, else a plain word (the mobile app sends neither). */
export function photoName(state) {
  return state.label || state.filename || "Photo";
}

/** `<label or file name>-iris.<ext>`, safe as a file name on any system. */
export function downloadName(job) {
  const path = new URL(job.result_url, location.href).pathname;
  const ext = ((path.match(/\.(png|jpe?g|webp)$/i) || [, "png"])[1]).toLowerCase();
  const base = job.label || (job.filename || "").replace(/\.[^.]*$/, "");
  const safe = base
    .normalize("NFC")
    .replace(/[^\p{L}\p{N}.-]+/gu, "_")
    .replace(/^[._-]+|[._-]+$/g, "")
    .slice(0, 80);
  return safe ? `${safe}-iris.${ext}` : `iris-${job.job_id.slice(0, 8)}.${ext}`;
}
