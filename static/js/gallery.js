// The gallery of the user's jobs: paginated, newest first, one live card per job.

import { JobCard } from "./card.js";

const PAGE_SIZE = 12;

export class Gallery {
  constructor(root, api, controller) {
    this.api = api;
    this.controller = controller;
    this.cards = new Map(); // job_id → JobCard, for the jobs on the page shown
    this.page = 1;
    this.total = 0;
    this.grid = root.querySelector(".job-grid");
    this.empty = root.querySelector(".jobs-empty");
    this.template = root.querySelector("#job-card");
    this.pager = root.querySelector(".pager");
    this.pageText = this.pager.querySelector(".pager-text");
    this.pager.querySelector("[data-page=newer]").addEventListener("click", () => this.turn(-1));
    this.pager.querySelector("[data-page=older]").addEventListener("click", () => this.turn(1));
    this.loading = null;
    this.again = false;
    this.offPage = new Set(); // jobs the stream mentioned that a reload did not show
    this.search = ""; // label or file name the page is filtered by
  }

  /** Show only the results of photos whose label or file name contains `text`. */
  find(text) {
    if (text === this.search) return this.loading;
    this.search = text;
    this.offPage.clear();
    return this.load(1);
  }

  /** Another page; the focus goes to its first card (the button may be disabled now). */
  async turn(by) {
    await this.load(this.page + by);
    const first = this.grid.querySelector(".job-title");
    (first || this.empty).focus();
  }

  get pages() {
    return Math.max(1, Math.ceil(this.total / PAGE_SIZE));
  }

  /** Load a page; loads asked for while one runs collapse into one more. */
  async load(page = this.page) {
    this.page = Math.max(1, page);
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = this.fetchPage().finally(() => {
      this.loading = null;
    });
    await this.loading;
    if (this.again) {
      this.again = false;
      await this.load();
    }
  }

  async fetchPage() {
    const query = this.search ? `&label=${encodeURIComponent(this.search)}` : "";
    const reply = await this.api.get(`/processing/jobs?page=${this.page}&page_size=${PAGE_SIZE}${query}`);
    this.total = reply.total;
    if (!reply.items.length && this.page > 1 && this.total > 0) {
      this.page = this.pages;
      this.again = true;
      return;
    }
    this.show(reply.items);
  }

  show(jobs) {
    const cards = new Map();
    for (const job of jobs) {
      const card = this.cards.get(job.job_id) || new JobCard(this.template, this.controller, job);
      card.update(job);
      cards.set(job.job_id, card);
    }
    this.cards = cards;
    // Reuse the card elements already shown, so live state and focus are kept.
    const order = [...cards.values()].map((card) => card.el);
    if (order.some((el, i) => this.grid.children[i] !== el) || this.grid.children.length !== order.length) {
      this.grid.replaceChildren(...order);
    }
    this.empty.hidden = jobs.length > 0;
    this.emptyText();
    this.pager.hidden = this.total <= PAGE_SIZE;
    this.pageText.textContent = `Page ${this.page} of ${this.pages}`;
    this.pager.querySelector("[data-page=newer]").disabled = this.page <= 1;
    this.pager.querySelector("[data-page=older]").disabled = this.page >= this.pages;
  }

  /** What an empty page says: offline, photos cannot be added (nor the list be sure). */
  emptyText() {
    if (this.offline) this.empty.textContent = "No photos to show while the server cannot be reached.";
    else if (this.search) this.empty.textContent = `No photos match “${this.search}”.`;
    else this.empty.textContent = "Nothing processed yet. Add an eye photo above to begin.";
  }

  /** The server is out of reach (`on`) or back: every card and the empty page say so. */
  setOffline(on) {
    this.offline = on;
    for (const card of this.cards.values()) card.setOffline(on);
    this.emptyText();
  }

  /** Forget everything shown (sign out: the next user must not see these cards). */
  clear() {
    this.cards = new Map();
    this.offPage.clear();
    this.grid.replaceChildren();
    this.search = "";
    this.page = 1;
    this.total = 0;
  }

  /** A live state from the stream: update its card, or show a new job on the first page. */
  apply(message) {
    const card = this.cards.get(message.job_id);
    if (card) card.update(message);
    else if (this.page === 1 && !this.offPage.has(message.job_id)) {
      // A job from elsewhere (another tab, the CLI): one reload shows it if it is new;
      // an older job still running on a later page does not reload page 1 at each step.
      this.offPage.add(message.job_id);
      this.load(1);
    }
  }

  /** New jobs (submit, batch, reprocess): go to the first page, where the newest are. */
  added(jobs) {
    if (this.page === 1) {
      for (const job of jobs) {
        if (!this.cards.has(job.job_id)) this.cards.set(job.job_id, new JobCard(this.template, this.controller, job));
      }
    }
    return this.load(1);
  }
}
