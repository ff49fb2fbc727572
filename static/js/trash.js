// Recently deleted: the user's trash, with Restore, until the server purges it.

import { photoName } from "./names.js";

const WHEN = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export class Trash {
  constructor(root, api, onRestored) {
    this.api = api;
    this.onRestored = onRestored; // called with a sentence after a restore
    this.root = root;
    this.list = root.querySelector(".trash-list");
    this.count = root.querySelector(".trash-count");
    this.note = root.querySelector(".trash-note");
    this.days = 1;
    this.list.addEventListener("click", (event) => this.onClick(event));
  }

  async load() {
    const trash = await this.api.get("/trash");
    this.days = trash.trash_days;
    const items = [
      ...trash.photos.map((photo) => ({ kind: "photo", id: photo.id, item: photo })),
      ...trash.results.map((job) => ({ kind: "result", id: job.job_id, item: job })),
    ].sort((a, b) => (a.item.deleted_at < b.item.deleted_at ? 1 : -1));
    this.root.hidden = items.length === 0;
    this.count.textContent = `(${items.length})`;
    this.note.textContent = "Deleted photos and results stay here until they are removed for good.";
    this.list.replaceChildren(...items.map((entry) => this.row(entry)));
    return trash;
  }

  row({ kind, id, item }) {
    const li = document.createElement("li");
    li.className = "trash-item";
    const thumb = document.createElement("img");
    thumb.alt = "";
    thumb.className = "trash-thumb";
    thumb.loading = "lazy"; // nothing to fetch while Recently deleted is closed
    thumb.src = item.thumbnail_url || item.preview_url || item.result_url || "";
    if (!thumb.getAttribute("src")) thumb.hidden = true;
    const text = document.createElement("div");
    text.className = "trash-text";
    const name = document.createElement("span");
    name.className = "trash-name";
    name.textContent = photoName(item);
    const what = document.createElement("span");
    what.className = "muted";
    const results = kind === "photo" ? ` and ${item.results} result${item.results === 1 ? "" : "s"}` : "";
    what.textContent = `${kind === "photo" ? `Photo${results}` : "One result"} · removed for good ${WHEN.format(new Date(item.purge_at))}`;
    text.append(name, what);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button small";
    button.dataset.kind = kind;
    button.dataset.id = id;
    button.textContent = "Restore";
    button.setAttribute("aria-label", `Restore ${kind === "photo" ? "the photo" : "the result of"} ${photoName(item)}`);
    li.append(thumb, text, button);
    return li;
  }

  /** Put a deleted photo (with its results) or result back; `name` for the message. */
  async restore(kind, id, name) {
    const path = kind === "photo" ? `/photos/${id}/restore` : `/processing/jobs/${id}/restore`;
    await this.api.post(path);
    await this.load();
    this.onRestored(`${name}: ${kind === "photo" ? "the photo and its results are" : "the result is"} back.`);
  }

  async onClick(event) {
    const button = event.target.closest("button[data-kind]");
    if (!button) return;
    button.disabled = true;
    const name = button.closest("li").querySelector(".trash-name").textContent;
    try {
      await this.restore(button.dataset.kind, button.dataset.id, name);
    } catch (error) {
      button.disabled = false;
      this.onRestored(error.message);
    }
  }

  clear() {
    this.list.replaceChildren();
    this.root.hidden = true;
  }
}
