// Console entry: sign in/out, and wiring of the upload tray, the gallery and the live stream.

import { Api } from "./api.js";
import { Gallery } from "./gallery.js";
import { JobStream } from "./live.js";
import { BatchBar } from "./batch.js";
import { downloadName } from "./names.js";
import { Privacy } from "./privacy.js";
import { alignToIris, createSlider } from "./slider.js";
import { Trash } from "./trash.js";
import { UploadTray } from "./uploads.js";

const api = new Api();
const $ = (selector) => document.querySelector(selector);
const views = { login: $("#login"), app: $("#app") };
let gallery = null;
let stream = null;
let tray = null;
let trash = null;
let batch = null;
let privacy = null;

/**
 * A short message at the bottom; with `action` ({ label, run }) a button too (Undo), which
 * takes the focus when `focus` is set. It stays while the focus is in it.
 */
function notify(text, action = null, focus = false) {
  const toast = $("#toast");
  const button = toast.querySelector(".toast-action");
  toast.querySelector(".toast-text").textContent = text;
  toast.hidden = !text;
  button.hidden = !action;
  button.textContent = action ? action.label : "";
  button.onclick = action
    ? () => {
        notify("");
        action.run().catch((error) => notify(error.message));
      }
    : null;
  if (action && focus) button.focus();
  clearTimeout(notify.timer);
  const hide = () => {
    if (toast.contains(document.activeElement)) notify.timer = setTimeout(hide, 2000);
    else notify("");
  };
  if (text) notify.timer = setTimeout(hide, action ? 10000 : 6000);
}

/** After a delete: the page without it, the trash with it, and Undo while it can be. */
async function deleted(text, kind, id, name) {
  await Promise.all([gallery.load(), trash.load()]);
  const undo = trash.days > 0 ? { label: "Undo", run: () => trash.restore(kind, id, name) } : null;
  if (!undo) $("#jobs-title").focus();
  notify(text, undo, true);
}

/** What a card's buttons do: each is one call of the public API. */
const controller = {
  notify,
  cards() {
    return gallery.cards;
  },
  /** What a card says of its photo's consent (privacy.js). */
  consentText(state) {
    return privacy ? privacy.cardText(state) : "";
  },
  refresh(card) {
    api.get(`/processing/jobs/${card.jobId}`).then((job) => card.update(job), () => {});
  },
  async cancel(card) {
    card.markCancelling(); // a running job stops at its next step: say so until it has
    try {
      card.update(await api.post(`/processing/jobs/${card.jobId}/cancel`));
    } catch (error) {
      card.cancelling = false;
      card.render(card.state);
      throw error;
    }
  },
  async reprocess(card) {
    const job = await api.post(`/processing/jobs/${card.jobId}/reprocess`);
    await gallery.added([job]);
    gallery.cards.get(job.job_id)?.parts.title.focus(); // the new card, at the top
    notify(`Processing ${card.name} again: the new result is at the top.`);
  },
  /** What a photo delete takes: every result of the photo, and how long the trash keeps it. */
  async whatGoes(card) {
    const reply = await api.get(`/processing/jobs?photo_id=${card.state.photo_id}&page_size=100`);
    return { jobs: reply.items, trashDays: trash.days };
  },
  async "delete-result"(card) {
    const name = card.name;
    await api.delete(`/processing/jobs/${card.jobId}`);
    await deleted(`Deleted the result of ${name}.`, "result", card.jobId, name);
  },
  async "delete-photo"(card) {
    const name = card.name;
    await api.delete(`/photos/${card.state.photo_id}`);
    await deleted(`Deleted ${name} and all its results.`, "photo", card.state.photo_id, name);
  },
  async download(card) {
    // Ask for the job again: its presigned result_url may have expired since it was shown.
    const job = await api.get(`/processing/jobs/${card.jobId}`);
    const link = document.createElement("a");
    link.href = job.result_url;
    link.download = downloadName(job);
    document.body.append(link);
    link.click();
    link.remove();
  },
  async label(card, label) {
    // Every card of the photo shows the new name: its other results too.
    await api.request("PATCH", `/photos/${card.state.photo_id}`, { label });
    await gallery.load();
    notify(label ? `Labelled ${label}.` : "Label removed.");
  },
  /** The full images, before and after, in a dialog: the only place they are loaded. */
  async enlarge(card) {
    const job = await api.get(`/processing/jobs/${card.jobId}`); // fresh presigned URLs
    const dialog = $("#full-view");
    const frame = dialog.querySelector(".full-frame");
    $("#full-title").textContent = card.name;
    const handle = createSlider(frame, {
      before: job.original_url,
      after: job.result_url,
      label: `Before and after, ${card.name}, full size: move to compare`,
    });
    // The result can be saved from here too, as from its card.
    dialog.querySelector("[data-download]").onclick = () =>
      controller.download(card).catch((error) => notify(error.message));
    dialog.addEventListener(
      "close",
      () => {
        frame.replaceChildren();
        card.parts.enlarge.focus();
      },
      { once: true },
    );
    dialog.showModal();
    handle.focus();
    if (job.mask_url && new URL(job.mask_url, location.href).origin === location.origin) {
      alignToIris(frame, job.mask_url).catch(() => {});
    }
  },
  async retake(card) {
    // The new photo carries the failed one's name, so the two stay tied together.
    tray.retakeName = card.state.label || card.state.filename || "";
    $("#camera-input").click();
  },
};

function show(name) {
  for (const [key, view] of Object.entries(views)) view.hidden = key !== name;
  $("#account").hidden = name !== "app";
}

async function enter() {
  if (stream) stream.stop();
  show("app");
  const me = await api.get("/users/me");
  $("#user-email").textContent = me.email;
  gallery = gallery || new Gallery($("#jobs"), api, controller);
  batch = batch || new BatchBar($("#jobs .batch"), api, controller);
  stream = new JobStream(api, (job) => {
    gallery.apply(job);
    batch.apply(job);
  });
  stream.addEventListener("state", (event) => {
    watchConnection(event.detail);
    $("#connection").dataset.state = event.detail;
    $("#connection-text").textContent = { live: "Live", connecting: "Connecting…" }[event.detail] || "Reconnecting…";
  });
  // Back after a drop: what the page shows, and what a drop during sign-in left unloaded.
  stream.addEventListener("resync", () => Promise.all([gallery.load(), trash.load(), privacy.load()]));
  stream.start();
  trash = trash || new Trash($("#jobs .trash"), api, restored);
  privacy = privacy || new Privacy($("#jobs .privacy"), api, { notify, changed: privacyChanged });
  await Promise.all([gallery.load(1), trash.load(), privacy.load(), batch.restore(me.id)]);
  privacyChanged(false);
}

/** Signing in failed: back to the form with why, unless the server only dropped out (the
 * offline banner says so, and the reconnect loads what is missing). */
function notEntered(error) {
  if (error.status !== 0 || !stream) leave(error.message);
}

// Offline: a banner, and every control that needs the server disabled until it is back.
const NEEDS_SERVER = "#app button, #app input";
const GRACE_MS = 1500; // a reconnect this quick (a server restart) does not flash the banner

function setOffline(on) {
  const banner = $("#offline");
  if (banner.hidden === !on) return;
  banner.hidden = !on;
  const lostFocus = on && document.activeElement?.matches(NEEDS_SERVER);
  for (const control of document.querySelectorAll(NEEDS_SERVER)) {
    if (on) {
      control.dataset.offlineWas = control.disabled ? "disabled" : "";
      control.disabled = true;
    } else if ("offlineWas" in control.dataset) {
      control.disabled = control.dataset.offlineWas === "disabled";
      delete control.dataset.offlineWas;
    }
  }
  if (lostFocus) $("#offline-retry").focus();
  if (gallery) gallery.setOffline(on);
}

function watchConnection(state) {
  clearTimeout(watchConnection.timer);
  if (state === "live") setOffline(false);
  else if (state === "reconnecting") watchConnection.timer = setTimeout(() => setOffline(true), GRACE_MS);
}

/** Consents or data changed: every card says so again; after an erase, the pages reload. */
async function privacyChanged(reload = true) {
  if (reload) await Promise.all([gallery.load(), trash.load()]);
  for (const card of gallery.cards.values()) card.renderConsent();
}

/** A restore (from Undo or Recently deleted): the page shows it again, the focus goes there. */
function restored(text) {
  gallery.load().then(() => $("#jobs-title").focus());
  notify(text);
}

function watchSearch() {
  let timer = null;
  $("#search").addEventListener("input", (event) => {
    clearTimeout(timer);
    timer = setTimeout(() => gallery && gallery.find(event.target.value.trim()), 250);
  });
}

function leave(message) {
  if (stream) stream.stop();
  clearTimeout(watchConnection.timer);
  setOffline(false);
  stream = null;
  if (gallery) gallery.clear();
  if (trash) trash.clear();
  if (batch) batch.clear();
  if (privacy) privacy.clear();
  if (tray) tray.clear();
  show("login");
  $("#login-error").textContent = message || "";
  $("#email").focus();
}

async function signIn(event) {
  event.preventDefault();
  const form = event.target;
  const button = form.querySelector("button");
  button.disabled = true;
  $("#login-error").textContent = "";
  try {
    await api.login(form.email.value.trim(), form.password.value);
    form.password.value = "";
  } catch (error) {
    $("#login-error").textContent =
      error.status === 401 ? "That email and password do not match an account." : error.message;
    form.password.select(); // try again at once; the alert says why
    form.password.focus();
    return;
  } finally {
    button.disabled = false;
  }
  enter()
    .then(() => $("#add-title").focus()) // signed in: start where photos are added
    .catch(notEntered);
}

function start() {
  tray = new UploadTray($("#add"), api, async (jobs) => {
    batch.track(jobs);
    await gallery.added(jobs);
    // The pressed Process went with its row (Process all with the tray): the focus goes where
    // the next step is, the new card or the batch's summary with its Cancel all.
    const active = document.activeElement;
    const lost = !active || active === document.body || active.checkVisibility?.() === false;
    if (lost) (jobs.length === 1 ? gallery.cards.get(jobs[0].job_id)?.parts.title : $("#jobs .batch-text"))?.focus();
  });
  $("#login-form").addEventListener("submit", signIn);
  $("#full-view [data-close]").addEventListener("click", () => $("#full-view").close());
  $("#offline-retry").addEventListener("click", () => {
    if (stream) stream.reconnectNow();
  });
  api.addEventListener("unreachable", () => {
    if (stream && stream.state !== "live") setOffline(true);
  });
  watchSearch();
  let leaving = false; // signed out on purpose, or the session ended (a refused refresh)
  $("#sign-out").addEventListener("click", () => {
    leaving = true;
    api.logout().catch(() => {});
  });
  api.addEventListener("signedout", () => {
    leave(leaving ? "" : "Your session has ended. Please sign in again.");
    leaving = false;
  });
  if (api.signedIn) enter().catch(notEntered);
  else leave();
}

start();
