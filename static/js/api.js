// The irisd REST client: tokens for this tab only, one shared refresh on 401, JSON errors.

const BASE = "/api/v1";
const STORE = "irisd.session"; // sessionStorage: the tab's tokens, gone when the tab closes
const EARLY_REFRESH_S = 30; // refresh a little before expiry so a request rarely meets a 401

/** An HTTP error with the server's {"detail"} sentence. */
export class ApiError extends Error {
  constructor(status, detail) {
    super(detail || `Request failed (${status}).`);
    this.status = status;
  }
}

function tokenExpiry(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload)).exp || 0;
  } catch {
    return 0;
  }
}

async function readBody(resp) {
  if (resp.status === 204) return null;
  const type = resp.headers.get("Content-Type") || "";
  return type.includes("application/json") ? resp.json() : resp.text();
}

export class Api extends EventTarget {
  constructor() {
    super();
    this.tokens = JSON.parse(sessionStorage.getItem(STORE) || "null");
    this.refreshing = null; // one refresh in flight, shared: refresh tokens are single-use
  }

  get signedIn() {
    return Boolean(this.tokens);
  }

  get accessToken() {
    return this.tokens ? this.tokens.access_token : "";
  }

  save(tokens) {
    this.tokens = tokens && { access_token: tokens.access_token, refresh_token: tokens.refresh_token };
    if (this.tokens) sessionStorage.setItem(STORE, JSON.stringify(this.tokens));
    else sessionStorage.removeItem(STORE);
  }

  async login(email, password) {
    const resp = await fetch(`${BASE}/auth/login/json`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    const body = await readBody(resp);
    if (!resp.ok) throw new ApiError(resp.status, body && body.detail);
    this.save(body);
  }

  async logout() {
    try {
      if (this.tokens) await this.request("POST", "/auth/logout");
    } finally {
      this.expire();
    }
  }

  /** Forget the tokens and tell the page (a failed refresh signs the user out). */
  expire() {
    this.save(null);
    this.dispatchEvent(new Event("signedout"));
  }

  /** A valid access token, refreshed first when it is about to expire. */
  async freshToken() {
    if (!this.tokens) throw new ApiError(401, "Please sign in.");
    if (tokenExpiry(this.accessToken) - Date.now() / 1000 < EARLY_REFRESH_S) await this.refresh();
    return this.accessToken;
  }

  refresh() {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  async doRefresh() {
    const refresh_token = this.tokens && this.tokens.refresh_token;
    const resp = await fetch(`${BASE}/auth/refresh`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_token }),
    }).catch(() => null);
    if (resp && resp.ok) {
      this.save(await resp.json());
      return;
    }
    if (resp && resp.status === 401) this.expire();
    throw new ApiError(resp ? resp.status : 0, "Your session has ended. Please sign in again.");
  }

  /** The response to a request with the Bearer token; on exactly 401, refresh once and repeat. */
  async authorized(method, path, body) {
    await this.freshToken();
    let resp = await this.send(method, path, body);
    if (resp.status === 401 && this.tokens) {
      await this.refresh();
      resp = await this.send(method, path, body);
    }
    return resp;
  }

  /** JSON request with the Bearer token; a refusal throws its {"detail"} sentence. */
  async request(method, path, body) {
    const resp = await this.authorized(method, path, body);
    const data = await readBody(resp);
    if (!resp.ok) throw new ApiError(resp.status, data && data.detail);
    return data;
  }

  /** A file the API sends (the privacy export), as a Blob. */
  async blob(path) {
    const resp = await this.authorized("GET", path);
    if (!resp.ok) {
      const data = await readBody(resp);
      throw new ApiError(resp.status, data && data.detail);
    }
    return resp.blob();
  }

  send(method, path, body) {
    const init = { method, headers: { Authorization: `Bearer ${this.accessToken}` } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(BASE + path, init).catch(() => {
      this.dispatchEvent(new Event("unreachable"));
      throw new ApiError(0, "The server cannot be reached. Check the connection and try again.");
    });
  }

  get(path) {
    return this.request("GET", path);
  }

  post(path, body) {
    return this.request("POST", path, body);
  }

  delete(path) {
    return this.request("DELETE", path);
  }
}
