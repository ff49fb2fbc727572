// Console entry: sign in/out, and wiring of the upload tray, the gallery and the live stream.

import { Api } from "./api.js";
import { Gallery } from "./gallery.js";
import { JobStream } from "./live.js";
import { downloadName } from "./names.js";
import { UploadTray } from "./uploads.js";

const api = new Api();
const $ = (selector) => document.querySelector(selector);
const views = { login: $("#login"), app: $("#app") };
let gallery = null;
let stream = null;
let tray = null;

function notify(text) {
  const toast = $("#toast");
  toast.textContent = text;
  toast.hidden = !text;
  clearTimeout(notify.timer);
  if (text) notify.timer = setTimeout(() => notify(""), 6000);
}

/** What a card's buttons do: each is one call of the public API. */
const controller = {
  notify,
  refresh(card) {
    api.get(`/processing/jobs/${card.jobId}`).then((job) => card.update(job), () => {});
  },
  async cancel(card) {
    card.update(await api.post(`/processing/jobs/${card.jobId}/cancel`));
  },
  async reprocess(card) {
    const job = await api.post(`/processing/jobs/${card.jobId}/reprocess`);
    await gallery.added([job]);
    notify("Processing again: the new result appears at the top.");
  },
  async delete(card) {
    await api.delete(`/photos/${card.state.photo_id}`);
    await gallery.load();
    notify("The photo and its results were deleted.");
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
  async retake() {
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
  stream = new JobStream(api, (job) => gallery.apply(job));
  stream.addEventListener("state", (event) => {
    $("#connection").dataset.state = event.detail;
    $("#connection-text").textContent = { live: "Live", connecting: "Connecting…" }[event.detail] || "Reconnecting…";
  });
  stream.addEventListener("resync", () => gallery.load());
  stream.start();
  await gallery.load(1);
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
  stream = null;
  if (gallery) gallery.clear();
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
    return;
  } finally {
    button.disabled = false;
  }
  enter().catch((error) => leave(error.message));
}

function start() {
  tray = new UploadTray($("#add"), api, (jobs) => gallery.added(jobs));
  $("#login-form").addEventListener("submit", signIn);
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
  if (api.signedIn) enter().catch((error) => leave(error.message));
  else leave();
}

start();
