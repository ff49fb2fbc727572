// The last batch sent from this page: "3 of 4 done, 1 cancelled", Cancel all, Download all
// as one ZIP.

import { announce } from "./announce.js";
import { downloadName, photoName } from "./names.js";
import { zip } from "./zip.js";

const FINAL = new Set(["completed", "failed"]);
const HEARD_MAX = 1000; // untracked jobs' statuses kept: more than any pick sends at once
const KEPT = "irisd-batch:"; // + user id: the batch's job ids, kept across a reload of the tab

export class BatchBar {
  constructor(root, api, controller) {
    this.api = api;
    this.controller = controller; // cancel(card), notify(text)
    this.root = root;
    this.text = root.querySelector(".batch-text");
    this.cancelButton = root.querySelector("[data-batch=cancel]");
    this.zipButton = root.querySelector("[data-batch=zip]");
    this.jobs = new Map(); // job_id → { status, error, name }
    // The latest status of jobs not (yet) tracked: a batch's jobs may run, even finish, before
    // its last answer comes (12 photos go as two requests), and their states are not sent again.
    this.heard = new Map(); // job_id → { status, error }
    this.key = null; // where this user's batch is kept in the tab (restore)
    this.cancelButton.addEventListener("click", () => this.cancelAll());
    this.zipButton.addEventListener("click", () => this.downloadAll());
  }

  /** Follow a new batch (several jobs at once); a single photo needs no summary. */
  track(jobs) {
    if (jobs.length < 2) return;
    // A state heard on the stream is newer than the answer's (the job as it was queued).
    const state = (job) => this.heard.get(job.job_id) || { status: job.status, error: job.error_type };
    this.jobs = new Map(jobs.map((job) => [job.job_id, { ...state(job), name: photoName(job) }]));
    if (this.key) sessionStorage.setItem(this.key, JSON.stringify([...this.jobs.keys()]));
    this.render();
  }

  /** The batch this tab followed before a reload, for the signed-in user `userId`. */
  async restore(userId) {
    this.key = KEPT + userId;
    const ids = JSON.parse(sessionStorage.getItem(this.key) || "[]");
    if (ids.length < 2 || this.jobs.size) return;
    const jobs = await Promise.all(ids.map((id) => this.api.get(`/processing/jobs/${id}`).catch(() => null)));
    if (!this.jobs.size) this.track(jobs.filter(Boolean)); // a new batch may have come first
  }

  apply(message) {
    const job = this.jobs.get(message.job_id);
    if (!job) return this.remember(message);
    if (job.status === message.status) return;
    job.status = message.status;
    job.error = message.error_type;
    this.render();
  }

  remember(message) {
    if (!message.status) return;
    this.heard.delete(message.job_id); // re-inserted: the Map's order is the order last heard
    this.heard.set(message.job_id, { status: message.status, error: message.error_type });
    if (this.heard.size > HEARD_MAX) this.heard.delete(this.heard.keys().next().value);
  }

  clear() {
    if (this.key) sessionStorage.removeItem(this.key);
    this.key = null;
    this.jobs = new Map();
    this.heard = new Map();
    this.render();
  }

  render() {
    const all = [...this.jobs.values()];
    this.root.hidden = all.length === 0;
    const finished = all.filter((job) => FINAL.has(job.status));
    const done = finished.filter((job) => job.status === "completed").length;
    const cancelled = finished.filter((job) => job.error === "cancelled").length;
    const failed = finished.length - done - cancelled;
    // Cancelled and failed ones are said apart: "12 of 12 done" after Cancel all was not true.
    const text = [
      `${done} of ${all.length} done`,
      ...(cancelled ? [`${cancelled} cancelled`] : []),
      ...(failed ? [`${failed} failed`] : []),
    ].join(", ");
    if (this.text.textContent !== text) {
      // Said once, when the batch is over (each photo says its own outcome as it comes).
      if (all.length && finished.length === all.length && this.text.textContent) announce(`Batch finished: ${text}.`);
      this.text.textContent = text;
    }
    this.cancelButton.hidden = finished.length === all.length; // nothing left to cancel: not offered
    this.zipButton.disabled = !all.some((job) => job.status === "completed");
  }

  async cancelAll() {
    const running = [...this.jobs].filter(([, job]) => !FINAL.has(job.status)).map(([id]) => id);
    const cards = this.controller.cards();
    await Promise.all(
      running.map((id) => {
        const card = cards.get(id);
        if (card) return this.controller.cancel(card).catch(() => {});
        return this.api.post(`/processing/jobs/${id}/cancel`).catch(() => {});
      }),
    );
    this.text.focus();
  }

  /** Every completed result of the batch, named as single downloads are, in one ZIP. */
  async downloadAll() {
    this.zipButton.disabled = true;
    try {
      const files = [];
      const taken = new Set();
      for (const [id, job] of this.jobs) {
        if (job.status !== "completed") continue;
        const fresh = await this.api.get(`/processing/jobs/${id}`);
        const resp = await fetch(fresh.result_url);
        if (!resp.ok) throw new Error(`The result of ${job.name} could not be fetched (${resp.status}).`);
        let name = downloadName(fresh);
        for (let n = 2; taken.has(name); n += 1) name = downloadName(fresh).replace(/(\.\w+)$/, `-${n}$1`);
        taken.add(name);
        files.push({ name, bytes: new Uint8Array(await resp.arrayBuffer()) });
      }
      const link = document.createElement("a");
      link.href = URL.createObjectURL(zip(files));
      link.download = `iris-results-${new Date().toISOString().slice(0, 10)}.zip`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 60000);
    } catch (error) {
      this.controller.notify(error.message);
    } finally {
      this.render();
    }
  }
}
