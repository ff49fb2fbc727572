// A live job card: step text, progress ring, queue position, attempt; result or failure.

import { photoName } from "./names.js";
import { alignToIris, createSlider } from "./slider.js";
import { announce } from "./announce.js";
import { counted } from "./words.js";

// What a failed card suggests, by error_type (see renderFailure).
const NEXT_STEP = {
  quality_issue: "",
  transient_error: "Reprocess to try again.",
  server_error: "Reprocess to try again, or try another photo.",
  cancelled: "Reprocess to start again.",
};

export const STEP_DISPLAY = {
  loading: "Preparing your image...",
  segmenting: "Finding your iris...",
  removing_reflections: "Removing reflections...",
  enhancing: "Enhancing quality...",
  saving: "Almost done...",
};
const WAITING = "Waiting in line...";
const COMPLETE = "Complete!";
const CHECK = "Check this print"; // a completed result the pipeline doubts (its `warnings`)
const FAILED_TEXT = { cancelled: "Cancelled", quality_issue: "Photo not usable" };
const CANCELLING = "Cancelling...";
const RING = 2 * Math.PI * 44; // circumference of the ring's circle (r = 44 in a 100 box)
const FINAL = new Set(["completed", "failed"]);
const WHEN = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

function display(status, step) {
  if (status === "completed") return COMPLETE;
  if (status === "failed") return null;
  if (status === "pending" || !step) return WAITING;
  return STEP_DISPLAY[step] || step;
}

/** A REST Job or a WebSocket message, as the card's state fields. */
export function normalize(data) {
  const state = { ...data };
  if ("current_step" in data || "attempt_count" in data) {
    state.attempt = data.attempt_count;
    state.stepText = display(data.status, data.current_step);
  } else {
    state.stepText = display(data.status, data.step);
    if ("message" in data) state.error_message = data.message;
  }
  // A cold worker's "Getting ready..." (the server's `note`): every full state says whether
  // it still applies, so a state without one clears it.
  state.note = data.note || null;
  for (const key of Object.keys(state)) if (state[key] === undefined) delete state[key];
  return state;
}

// Fields a late REST answer may still bring (fresh presigned URLs), when its state is older.
const KEPT_FROM_OLDER = [
  "original_url", "result_url", "mask_url", "created_at", "photo_id", "filename", "label",
  "thumbnail_url", "preview_url", "original_preview_url",
];
const STATUS_ORDER = { pending: 0, processing: 1, completed: 2, failed: 2 };

function pick(object, keys) {
  return Object.fromEntries(keys.filter((key) => object[key] != null).map((key) => [key, object[key]]));
}

/**
 * Whether `next` is an older state of the job than `shown`. Messages carry `seq`; a REST Job
 * does not, so it is ordered by attempt, then status, then progress (which never goes
 * backwards within an attempt): a list fetched while messages arrive cannot step back.
 */
function isOlder(next, shown) {
  if (next.seq != null && shown.seq != null) return next.seq < shown.seq;
  // A message without `attempt` (an old server) is taken to be of the attempt shown.
  const rank = (s) => [s.attempt ?? shown.attempt ?? 1, STATUS_ORDER[s.status] ?? 0, s.progress || 0];
  const [a, b] = [rank(next), rank(shown)];
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

function duration(ms) {
  return ms >= 10000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

export class JobCard {
  constructor(template, controller, job) {
    this.controller = controller;
    this.state = {};
    this.pressed = null; // the focused button an action disabled while it runs
    this.el = template.content.firstElementChild.cloneNode(true);
    this.el.dataset.jobId = job.job_id;
    this.parts = Object.fromEntries(
      [...this.el.querySelectorAll("[data-part]")].map((node) => [node.dataset.part, node]),
    );
    this.el.addEventListener("click", (event) => this.onClick(event));
    this.parts.labelForm.addEventListener("submit", (event) => this.saveLabel(event));
    this.parts.labelForm.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.closeLabel();
    });
    this.update(job);
  }

  get jobId() {
    return this.el.dataset.jobId;
  }

  get final() {
    return FINAL.has(this.state.status);
  }

  get name() {
    return photoName(this.state);
  }

  /** Apply a Job or a message; a state older than the one shown only refreshes the URLs. */
  update(data) {
    let next = normalize(data);
    // A Job (REST) of a completed result says which images it has (previews or not).
    if ("current_step" in data && data.status === "completed") this.jobDone = true;
    if (this.state.status && isOlder(next, this.state)) next = pick(next, KEPT_FROM_OLDER);
    const previous = this.state;
    this.state = { ...previous, ...next };
    this.render(previous);
  }

  render(previous) {
    const s = this.state;
    this.el.dataset.status = s.status;
    this.el.dataset.errorType = s.error_type || "";
    this.renderName(s);
    if (this.final) this.cancelling = false;
    this.el.toggleAttribute("data-cancelling", Boolean(this.cancelling));
    const warnings = this.warnings(s);
    this.el.dataset.quality = warnings.length ? "low" : "";
    // A doubted result is not a plain success: it says to check it, never "Complete!" under a
    // warning sign; a clean one says "Complete!" alone.
    const finished = warnings.length ? CHECK : s.stepText;
    const step = this.cancelling ? CANCELLING : finished || FAILED_TEXT[s.error_type] || "Processing failed";
    // Only the outcome is announced, once, naming the photo (the steps show on the card).
    if (this.final && previous.status && !FINAL.has(previous.status)) announce(`${this.name}: ${this.outcome(s, warnings)}`);
    this.setText("step", step);
    this.renderProgress(s);
    this.setText("detail", this.detail(s));
    this.renderConsent();
    this.renderNotes(s);
    this.renderMedia(s);
    this.renderFailure(s);
    this.renderActions(s);
  }

  renderName(s) {
    this.showTitle(this.name);
    this.parts.enlarge.setAttribute("aria-label", `View ${this.name} full size`);
    this.parts.title.title = s.filename && s.label ? `${s.label} (${s.filename})` : this.name;
    this.parts.labelButton.setAttribute("aria-label", `${s.label ? "Change" : "Add"} the label of ${this.name}`);
    this.el.setAttribute("aria-label", this.name);
  }

  /** The name, free to wrap after its dots, dashes and underscores ("01_left_aeval1." and
   * "bmp"), where a file name's words end, rather than anywhere in a word ("...aeval1.b", "mp"). */
  showTitle(name) {
    const title = this.parts.title;
    if (title.textContent === name) return;
    const pieces = name.split(/(?<=[._-])/);
    title.replaceChildren(...pieces.flatMap((piece, i) => (i ? [document.createElement("wbr"), piece] : [piece])));
  }

  /** Whether the photo's person has consented (privacy.js decides, by the photo's label). */
  renderConsent() {
    this.setText("consent", this.controller.consentText(this.state));
  }


  editLabel() {
    const { labelForm, labelInput } = this.parts;
    labelForm.hidden = false;
    labelInput.value = this.state.label || "";
    labelInput.setAttribute("aria-label", `Label of ${this.state.filename || "this photo"}`);
    labelInput.focus();
  }

  closeLabel() {
    this.parts.labelForm.hidden = true;
    this.parts.labelButton.focus();
  }

  async saveLabel(event) {
    event.preventDefault();
    const input = this.parts.labelInput;
    input.disabled = true;
    try {
      await this.controller.label(this, input.value.trim() || null);
      this.closeLabel();
    } catch (error) {
      this.controller.notify(error.message);
    } finally {
      input.disabled = false;
    }
  }

  setText(part, text) {
    // Only real changes touch the DOM, so aria-live announces each step once.
    if (this.parts[part].textContent !== text) this.parts[part].textContent = text;
  }

  renderProgress(s) {
    const progress = s.status === "completed" ? 100 : Math.max(0, Math.min(100, s.progress || 0));
    const ring = this.parts.ring;
    ring.setAttribute("aria-valuenow", String(progress));
    ring.querySelector(".ring-bar").style.strokeDashoffset = String(RING * (1 - progress / 100));
    // A queued card says its place once, in the ring ("Waiting in line..." beside it); one
    // being cancelled shows no percentage, which would read as still running.
    const waiting = s.status === "pending" && s.queue_position && !this.cancelling;
    this.setText("ringValue", this.cancelling ? "" : waiting ? `#${s.queue_position}` : `${progress}%`);
    this.setText("ringLabel", this.cancelling ? "stopping" : "");
    if (waiting) ring.setAttribute("aria-valuetext", `Number ${s.queue_position} in line`);
    else ring.removeAttribute("aria-valuetext");
  }

  detail(s) {
    const parts = [];
    // Offline a running card's progress cannot move: say why rather than freeze at 95 %.
    if (this.offline && !this.final) parts.push("Waiting for the server…");
    if (s.note && !this.final) parts.push(s.note);
    if (s.status === "completed" && s.result_width) parts.push(`${s.result_width} × ${s.result_height}`);
    if (s.status === "completed" && s.processing_time_ms != null) parts.push(duration(s.processing_time_ms));
    if (s.attempt > 1) parts.push(`Attempt ${s.attempt}`);
    if (!parts.length && s.created_at) parts.push(`Added ${WHEN.format(new Date(s.created_at))}`);
    if (s.label && s.filename) parts.unshift(s.filename); // the title is the label: say which file
    return parts.join(" · ");
  }

  /** What to check in a completed result: the flaws the pipeline names (`warnings`). */
  warnings(s) {
    if (s.status !== "completed") return [];
    return Array.isArray(s.warnings) ? s.warnings : [];
  }

  /** A completed result's notes that are information only (what was done, its size). */
  information(s) {
    if (s.status !== "completed") return [];
    const flaws = new Set(this.warnings(s));
    return (Array.isArray(s.quality_notes) ? s.quality_notes : []).filter((note) => !flaws.has(note));
  }

  /** A final state in a few words; the card holds the reasons and the notes. */
  outcome(s, warnings) {
    if (s.status === "completed") return warnings.length ? "complete, check this print." : "complete.";
    return { cancelled: "cancelled.", quality_issue: "photo not usable." }[s.error_type] || "processing failed.";
  }

  /** The server is out of reach (`on`) or back: a running card says it is waiting. */
  setOffline(on) {
    this.offline = on;
    this.setText("detail", this.detail(this.state));
  }

  /** A completed result's notes, one list item each: its warnings (flaws) first, marked,
   * then what is information only, quietly. */
  renderNotes(s) {
    const items = [
      ...this.warnings(s).map((text) => ({ text, kind: "flaw" })),
      ...this.information(s).map((text) => ({ text, kind: "info" })),
    ];
    const list = this.parts.notes;
    list.hidden = !items.length;
    const shown = [...list.children].map((item) => `${item.className}:${item.textContent}`);
    if (shown.length === items.length && shown.every((text, i) => text === `${items[i].kind}:${items[i].text}`)) return;
    list.replaceChildren(
      ...items.map(({ text, kind }) => Object.assign(document.createElement("li"), { textContent: text, className: kind })),
    );
  }

  renderMedia(s) {
    const original = this.parts.original;
    const done = s.status === "completed" && s.result_url;
    // Tiles are light: the photo's thumbnail while it runs, 512 px previews once done; the
    // full images only in the full-size view and the download.
    const still = s.thumbnail_url || s.original_url;
    if (!done && still && !original.getAttribute("src")) original.src = still;
    if (done && !this.jobDone) {
      // A Completion message names no previews: the Job does, so ask for it once.
      if (!this.askedForJob) this.controller.refresh(this);
      this.askedForJob = true;
    }
    if (done && this.jobDone && !this.slider) {
      this.light = Boolean(s.preview_url && s.original_preview_url);
      this.slider = createSlider(this.parts.compare, {
        before: this.light ? s.original_preview_url : s.original_url,
        after: this.light ? s.preview_url : s.result_url,
        label: `Before and after, ${this.name}: move to compare`,
      });
      this.aligned = false;
    }
    this.parts.compare.hidden = !(done && this.slider);
    if (done && this.slider && !this.light) this.align(s);
  }

  align(s) {
    if (!s.mask_url) return;
    // Only a mask from this origin can be measured (a canvas refuses to read other origins).
    if (this.aligned || new URL(s.mask_url, location.href).origin !== location.origin) return;
    this.aligned = true;
    alignToIris(this.parts.compare, s.mask_url).catch(() => {});
  }

  renderFailure(s) {
    const failed = s.status === "failed";
    this.parts.failure.hidden = !failed;
    if (!failed) return;
    // A cancel is said by the card's state ("Cancelled"): its message would say it again.
    this.setText("errorMessage", s.error_type === "cancelled" ? "" : s.error_message || "Processing failed.");
    this.parts.errorMessage.hidden = !this.parts.errorMessage.textContent;
    // The API's suggestion is the phone's ("Tap ..."), and for a photo's problem it repeats
    // the message, which already says what to do: the console names its own next step.
    this.setText("suggestion", s.error_type in NEXT_STEP ? NEXT_STEP[s.error_type] : s.suggestion || "");
    this.parts.suggestion.hidden = !this.parts.suggestion.textContent;
    // Retake ties the new photo to this one by name: say which name, in plain words.
    const refused = s.error_type === "quality_issue";
    this.parts.retake.hidden = !refused;
    if (refused) this.setText("retake", `A retaken photo keeps the name “${this.name}”.`);
  }

  renderActions(s) {
    const tags = this.cancelling ? ["cancelling"] : [s.status, s.error_type === "quality_issue" ? "quality" : ""];
    // (focus lost to the page by disabling a pressed button counts as this card's; focus the
    // user has moved elsewhere does not)
    const active = document.activeElement;
    const focused = this.el.contains(active) ? active : active === document.body ? this.pressed : null;
    // data-when: the states a button is for. A photo found unusable offers Retake first, and
    // Reprocess too (a newer pipeline, or the same photo reprocessed after an update, may take it).
    const any = (list) => (list || "").split(" ").some((tag) => tag && tags.includes(tag));
    for (const button of this.el.querySelectorAll("[data-when]")) button.hidden = !any(button.dataset.when);
    // Keyboard users keep their place: a pressed button that went away (Cancel) hands the
    // focus to the card's first action now shown, or to its title when none is (cancelling).
    if (focused && focused.hidden) (this.el.querySelector(".job-actions button:not([hidden])") || this.parts.title).focus();
  }

  /** A cancel was asked: "Cancelling..." and no more Cancel, until the job's final state. */
  markCancelling() {
    if (this.final) return;
    this.cancelling = true;
    this.render(this.state);
  }

  async onClick(event) {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const action = button.dataset.action;
    if (action === "label") return this.editLabel();
    if (action === "unlabel") return this.closeLabel();
    if (action === "delete") return this.chooseDelete();
    if (action === "keep") return this.closeDelete();
    // Disabling a focused button takes its focus away (Chromium 150): remember who had it.
    this.pressed = document.activeElement === button ? button : null;
    button.disabled = true;
    try {
      await this.controller[action](this);
    } catch (error) {
      this.controller.notify(error.message);
    } finally {
      button.disabled = false;
      if (this.pressed && document.activeElement === document.body && !button.hidden) button.focus();
      this.pressed = null;
    }
  }

  /**
   * Deleting asks what: this result only, or the photo with every result of it (listed), in
   * a panel over the card's picture; nothing is gone for good before the trash is purged.
   */
  async chooseDelete() {
    const { deletePanel, deleteWhat, deleteNote, deletePhoto } = this.parts;
    deletePanel.hidden = false;
    this.el.classList.add("confirming");
    this.el.querySelector("[data-action=delete]").setAttribute("aria-expanded", "true");
    deleteWhat.textContent = "";
    deletePanel.querySelector("[data-action=delete-result]").focus();
    deletePanel.onkeydown = (event) => {
      if (event.key === "Escape") this.closeDelete();
    };
    try {
      const { jobs, trashDays } = await this.controller.whatGoes(this);
      const others = jobs.filter((job) => job.job_id !== this.jobId);
      // Which results go too, by when they were made (they all bear the photo's name).
      const when = others.map((job) => WHEN.format(new Date(job.created_at))).join("; ");
      const results = { 1: "its result", 2: "both results" }[jobs.length] || `all ${jobs.length} results`;
      deletePhoto.textContent = `Delete the photo and ${results}`;
      deleteWhat.textContent = `Goes with the photo: ${this.name}, this result${others.length ? ` and ${counted(others.length, "other result")} (made ${when})` : ""}.`;
      deleteNote.textContent = trashDays > 0
        ? `Deleted items can be restored for ${days(trashDays)} under Recently deleted.`
        : "Deleting cannot be undone.";
    } catch (error) {
      deleteWhat.textContent = error.message;
    }
  }

  closeDelete() {
    this.parts.deletePanel.hidden = true;
    this.el.classList.remove("confirming");
    this.el.querySelector("[data-action=delete]").setAttribute("aria-expanded", "false");
    this.el.querySelector("[data-action=delete]").focus();
  }
}

function days(count) {
  if (count >= 1) return count === 1 ? "1 day" : `${count} days`;
  const hours = Math.max(1, Math.round(count * 24));
  return hours === 1 ? "1 hour" : `${hours} hours`;
}
