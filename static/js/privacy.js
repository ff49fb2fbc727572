// Consent and data: staff record a client's consent (on screen or on paper) under the label
// their photos carry, see which photos have it, download a client's data, erase it all, and
// withdraw a consent (which erases that person's photos and results on the server).

import { counted } from "./words.js";

const WHEN = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const HOW = { app: "in the app", console: "on screen", paper: "on paper" };

const same = (a, b) => (a || "").toLowerCase() === (b || "").toLowerCase();
const NO_CONSENT = "No consent recorded";

export class Privacy {
  constructor(root, api, { notify, changed }) {
    this.api = api;
    this.notify = notify;
    this.changed = changed; // called after consents or data changed: cards and lists reload
    this.root = root;
    this.consents = [];
    this.shown = null; // the clinic's jurisdiction and consent text
    this.form = root.querySelector(".privacy-form");
    this.label = root.querySelector("#privacy-label");
    this.status = root.querySelector(".privacy-status");
    this.list = root.querySelector(".consent-list");
    this.confirm = root.querySelector("[data-privacy=erase-confirm]");
    this.form.addEventListener("submit", (event) => event.preventDefault());
    root.addEventListener("click", (event) => this.onClick(event));
    this.label.addEventListener("input", () => this.showState());
  }

  async load() {
    const [shown, reply] = await Promise.all([
      this.shown ? this.shown : this.api.get("/privacy/jurisdiction"),
      this.api.get("/privacy/consent"),
    ]);
    this.shown = shown;
    this.consents = reply.consents;
    this.root.querySelector(".consent-law").textContent =
      `${shown.consent_requirements.jurisdiction_name} · version ${shown.consent_requirements.consent_text_version}`;
    this.root.querySelector(".consent-text").textContent = shown.consent_requirements.consent_text;
    this.root.querySelector(".privacy-required").textContent = shown.consent_required_to_process
      ? "Photos are processed only for people whose consent is recorded."
      : "Recording consent is not required on this server, but a withdrawn person's photos are never processed.";
    this.list.replaceChildren(...this.consents.map((consent) => this.row(consent)));
    this.showState();
  }

  clear() {
    this.consents = [];
    this.shown = null;
    this.list.replaceChildren();
    this.label.value = "";
    this.status.textContent = "";
  }

  /** The consent in force of a photo's person: its label's, or the account's own. */
  consentOf(label) {
    return this.consents.find((c) => c.granted && c.consent_type === "biometric_capture" && same(c.label, label || null));
  }

  /** The line a card shows: its consent, or the lack of it where processing waits for one
   * (elsewhere "No consent recorded" on every card only adds noise). */
  cardText(state) {
    const text = this.textFor(state);
    return this.shown?.consent_required_to_process || text !== NO_CONSENT ? text : "";
  }

  /** What is recorded of a person's consent, by the photo's label (or the account's own). */
  textFor(state) {
    if (!this.shown) return "";
    const found = this.consentOf(state.label);
    if (found) return `Consent recorded ${HOW[found.source]}, ${WHEN.format(new Date(found.granted_at))}`;
    const withdrawn = this.consents.some((c) => !c.granted && same(c.label, state.label || null));
    return withdrawn ? "Consent withdrawn" : NO_CONSENT;
  }

  showState() {
    const label = this.label.value.trim();
    this.confirm.hidden = true;
    for (const button of this.root.querySelectorAll("[data-needs-label]")) button.disabled = !label;
    this.status.textContent = label ? `${label}: ${this.textFor({ label })}.` : "";
    // Recording is the next step only while nothing is recorded for them.
    this.root.querySelector("[data-privacy=screen]").classList.toggle("primary", !this.consentOf(label));
  }

  row(consent) {
    const li = document.createElement("li");
    li.className = "consent-item";
    const text = document.createElement("span");
    const who = consent.label || "You (this account)";
    const state = consent.granted ? "in force" : `withdrawn ${WHEN.format(new Date(consent.withdrawn_at))}`;
    text.textContent = `${who} · ${HOW[consent.source]}, ${WHEN.format(new Date(consent.granted_at))} · ${state}`;
    li.append(text);
    if (consent.granted) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button small";
      button.dataset.privacy = "withdraw";
      button.dataset.id = consent.id;
      button.textContent = "Withdraw";
      button.setAttribute("aria-label", `Withdraw the consent of ${who} and erase their photos`);
      li.append(button);
    }
    return li;
  }

  async onClick(event) {
    const button = event.target.closest("[data-privacy]");
    if (!button) return;
    const action = button.dataset.privacy;
    button.disabled = true;
    try {
      await this[action](button);
    } catch (error) {
      this.notify(error.message);
    } finally {
      button.disabled = false;
      if (action !== "withdraw" && action !== "erase") this.showState(); // erase: confirm next
    }
  }

  async record(source) {
    const label = this.label.value.trim();
    await this.api.post("/privacy/consent", {
      consent_type: "biometric_capture",
      jurisdiction: this.shown.jurisdiction,
      consent_text_version: this.shown.consent_requirements.consent_text_version,
      label,
      source,
    });
    await this.load();
    await this.changed();
    this.notify(`Recorded the consent of ${label} ${HOW[source]}.`);
  }

  screen() {
    return this.record("console");
  }

  paper() {
    return this.record("paper");
  }

  async export() {
    const label = this.label.value.trim();
    const blob = await this.api.blob(`/privacy/export?label=${encodeURIComponent(label)}`);
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `${label}-data.zip`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
  }

  erase() {
    this.confirm.hidden = false;
    this.confirm.focus();
  }

  async ["erase-confirm"]() {
    const label = this.label.value.trim();
    const done = await this.api.post("/privacy/erase", { label });
    await this.load();
    await this.changed();
    this.notify(`Erased ${label}: ${counted(done.photos, "photo")} and ${counted(done.results, "result")}, for good.`);
  }

  async withdraw(button) {
    const done = await this.api.post(`/privacy/consent/${button.dataset.id}/withdraw`);
    await this.load();
    await this.changed();
    const erased = done.erased || { photos: 0, results: 0 };
    this.notify(`Consent withdrawn: ${counted(erased.photos, "photo")} and ${counted(erased.results, "result")} erased.`);
  }
}
