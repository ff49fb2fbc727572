// Upload tray: presigned upload per file (POST /photos/upload → PUT → confirm) with progress.

const BATCH_MAX = 10; // photos per POST /processing/batch (API.md)

// Types the server accepts as declared; it judges every upload by its bytes, so anything else
// (BMP from research sets, a file without a type) is declared as JPEG, as the mobile app does.
const MAX_BYTES = 40_000_000; // [uploads] max_bytes' default: a larger file is refused at once
const AUTO_KEY = "irisd.autoProcess"; // the console setting, kept in this browser
const DECLARABLE = new Set(["image/jpeg", "image/png", "image/webp", "image/tiff", "image/heic", "image/heif"]);

async function imageSize(file) {
  // confirm() wants the declared size; the server checks the bytes itself, so 0 is fine
  // for formats this browser cannot decode (TIFF, HEIC).
  try {
    const bitmap = await createImageBitmap(file);
    const size = { width: bitmap.width, height: bitmap.height };
    bitmap.close();
    return size;
  } catch {
    return { width: 0, height: 0 };
  }
}

function putWithProgress(url, file, type, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    xhr.setRequestHeader("Content-Type", type);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () =>
      xhr.status < 300 ? resolve() : reject(new Error(`The upload was refused (${xhr.status}).`));
    xhr.onerror = () => reject(new Error("The upload was interrupted. Check the connection."));
    xhr.send(file);
  });
}

/** One file in the tray: its row, its upload, and the Photo once confirmed. */
class UploadItem {
  constructor(tray, file) {
    this.tray = tray;
    this.file = file;
    this.photo = null;
    this.row = tray.template.content.firstElementChild.cloneNode(true);
    this.preview = URL.createObjectURL(file);
    const thumb = this.row.querySelector("img");
    thumb.addEventListener("error", () => thumb.removeAttribute("src"), { once: true }); // no broken-picture icon
    thumb.src = this.preview;
    this.row.querySelector(".upload-name").textContent = file.name || "Camera photo";
    this.bar = this.row.querySelector("progress");
    this.bar.setAttribute("aria-label", `Upload of ${file.name || "photo"}`);
    this.status = this.row.querySelector(".upload-status");
    this.label = this.row.querySelector(".upload-label");
    this.label.setAttribute("aria-label", `Name or reference for ${file.name || "this photo"} (optional)`);
    this.processButton = this.row.querySelector("[data-action=process]");
    this.processButton.addEventListener("click", () => tray.process([this]));
    this.retryButton = this.row.querySelector("[data-action=retry]");
    this.retryButton.setAttribute("aria-label", `Retry the upload of ${file.name || "this photo"}`);
    this.retryButton.addEventListener("click", () => {
      this.upload(tray.api).then(() => (this.retryButton.hidden ? this.processButton : this.retryButton).focus());
    });
    this.row.querySelector("[data-action=remove]").addEventListener("click", () => this.remove());
  }

  setState(state, text, retry = false) {
    this.row.dataset.state = state;
    this.status.textContent = text;
    this.processButton.disabled = state !== "ready";
    this.processButton.hidden = retry || state === "failed"; // a refused file has nothing to process
    this.retryButton.hidden = !retry;
  }

  /** What is plainly wrong before anything is sent (the server checks the bytes again). */
  refusal() {
    const file = this.file;
    if (file.size === 0) return "This file is empty.";
    if (file.size > MAX_BYTES) return `This file is ${(file.size / 1e6).toFixed(0)} MB; photos of up to ${MAX_BYTES / 1e6} MB are accepted.`;
    if (file.type && !file.type.startsWith("image/")) return "This file is not a photo.";
    return null;
  }

  async upload(api) {
    const type = DECLARABLE.has(this.file.type) ? this.file.type : "image/jpeg";
    const refused = this.refusal();
    if (refused) {
      this.setState("failed", refused);
      this.tray.changed();
      return;
    }
    try {
      this.setState("uploading", "Uploading… 0%");
      const size = await imageSize(this.file);
      const slot = await api.post("/photos/upload", { content_type: type, filename: this.file.name || null });
      await putWithProgress(slot.upload_url, this.file, type, (done) => {
        this.bar.value = done;
        this.status.textContent = `Uploading… ${Math.round(done * 100)}%`;
      });
      this.bar.value = 1;
      this.setState("checking", "Checking the photo…");
      const body = { file_size: this.file.size, ...size };
      this.photo = await api.post(`/photos/${slot.photo_id}/confirm`, body);
      this.row.dataset.photoId = this.photo.id;
      this.setState("ready", "Ready to process");
    } catch (error) {
      // A lost connection or a server error can be tried again; a refused file cannot.
      const refused = error.status >= 400 && error.status < 500;
      this.setState("failed", error.message, !refused);
    }
    this.tray.changed();
  }

  /** Send the label typed while the photo uploaded (or since), if it changed. */
  async saveLabel(api) {
    const label = this.label.value.trim() || null;
    if (label !== (this.photo.label || null)) this.photo = await api.request("PATCH", `/photos/${this.photo.id}`, { label });
  }

  /** Take the row away; a keyboard user's focus in it moves to the next row's (or the last
   * one's) ✕, or to "Choose photos" when none is left, not to the page (`refocus`). */
  remove(refocus = true) {
    const had = refocus && this.row.contains(document.activeElement);
    const next = this.row.nextElementSibling || this.row.previousElementSibling;
    URL.revokeObjectURL(this.preview);
    this.row.remove();
    this.tray.items.delete(this);
    this.tray.changed();
    if (had) (next?.querySelector("[data-action=remove]") || document.querySelector("#file-input")).focus();
  }
}

export class UploadTray {
  constructor(root, api, onJobs) {
    this.api = api;
    this.onJobs = onJobs; // called with the new Jobs after submit or batch
    this.items = new Set();
    this.list = root.querySelector(".upload-list");
    this.template = root.querySelector("#upload-row");
    this.processAll = root.querySelector("[data-action=process-all]");
    this.message = root.querySelector(".tray-message");
    this.processAll.addEventListener("click", () => this.process(this.ready()));
    this.retakeName = ""; // set by a failed card's Retake, for the camera photo that follows
    for (const input of root.querySelectorAll("input[type=file]")) {
      input.addEventListener("change", () => {
        const named = input.id === "camera-input" ? this.retakeName : "";
        this.retakeName = "";
        this.add(input.files, named);
        input.value = "";
      });
    }
    this.watchDrops(root.querySelector(".dropzone"));
    this.auto = root.querySelector("#auto-process");
    this.auto.checked = localStorage.getItem(AUTO_KEY) === "1";
    this.auto.addEventListener("change", () => localStorage.setItem(AUTO_KEY, this.auto.checked ? "1" : "0"));
    this.changed();
  }

  watchDrops(zone) {
    const over = (on) => (event) => {
      event.preventDefault();
      zone.classList.toggle("dragover", on);
    };
    zone.addEventListener("dragenter", over(true));
    zone.addEventListener("dragover", over(true));
    zone.addEventListener("dragleave", over(false));
    zone.addEventListener("drop", (event) => {
      over(false)(event);
      // Offline (the banner says so) the file buttons are disabled: a drop would only fail.
      if (zone.querySelector("#file-input").disabled) return;
      this.add(event.dataTransfer.files);
    });
    // A photo dropped just outside the zone must not replace the console with the image.
    for (const type of ["dragover", "drop"]) {
      window.addEventListener(type, (event) => {
        if (!zone.contains(event.target)) event.preventDefault();
      });
    }
  }

  add(files, label = "") {
    const added = [];
    for (const file of files) {
      const item = new UploadItem(this, file);
      item.label.value = label;
      this.items.add(item);
      this.list.append(item.row);
      added.push(item);
    }
    this.changed();
    const uploads = Promise.all(added.map((item) => item.upload(this.api)));
    // With "process as soon as uploaded", the photos picked together go as one batch, in
    // the order picked, once every one of them is checked.
    if (this.auto.checked) uploads.then(() => this.process(added.filter((item) => item.row.dataset.state === "ready")));
  }

  clear() {
    for (const item of [...this.items]) item.remove();
  }

  ready() {
    return [...this.items].filter((item) => item.row.dataset.state === "ready");
  }

  changed() {
    const count = this.ready().length;
    this.processAll.disabled = count === 0;
    this.processAll.textContent = count > 1 ? `Process all (${count})` : "Process all";
    this.list.closest("section").hidden = this.items.size === 0;
  }

  /** One photo → submit (high priority); several → batches of up to 10, shown in tray order. */
  async process(items) {
    if (!items.length) return;
    items.forEach((item) => item.setState("submitting", "Starting…"));
    this.message.textContent = "";
    try {
      for (const item of items) await item.saveLabel(this.api);
      const jobs = await this.submit(items.map((item) => item.photo.id));
      items.forEach((item) => item.remove(false));
      await this.onJobs(jobs); // which shows them, and takes the focus to them
    } catch (error) {
      items.forEach((item) => item.setState("ready", "Ready to process"));
      this.message.textContent = error.message;
    }
  }

  /** The Jobs of `photoIds`, in that order. */
  async submit(photoIds) {
    if (photoIds.length === 1) return [await this.api.post("/processing/submit", { photo_id: photoIds[0] })];
    const chunks = [];
    for (let i = 0; i < photoIds.length; i += BATCH_MAX) chunks.push(photoIds.slice(i, i + BATCH_MAX));
    // The gallery lists newest first, and a batch's jobs in the order sent. So the chunks go
    // last first: the first chunk, newest, shows on top and the pick in the order picked.
    // The queue then starts with the last chunk (each in its own order): a request's jobs
    // are queued when they are created, so both orders cannot follow the pick.
    const replies = [];
    for (const chunk of chunks.reverse()) replies.unshift((await this.api.post("/processing/batch", { photo_ids: chunk })).jobs);
    return replies.flat();
  }
}
