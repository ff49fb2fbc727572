// Live job updates over /ws/jobs?token= (all of the user's jobs), resuming with ?since=.

const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000]; // then stays at the last, plus jitter
// The server sends something at least every 500 ms (a state or a keepalive); this long a
// silence means a connection that died without a close (Wi-Fi change, a sleeping laptop).
const SILENCE_MS = 5000;

function wsUrl(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

/**
 * One WebSocket for every job of the signed-in user. It reconnects on its own (backoff with
 * jitter) after a dropped connection or a server restart and passes ?since=CURSOR (the last
 * cursor seen) so the server replays every change it missed; after a reconnect it also fires
 * "resync", for the page to refresh what it shows (presigned URLs, jobs from elsewhere).
 */
export class JobStream extends EventTarget {
  constructor(api, onJob) {
    super();
    this.api = api;
    this.onJob = onJob;
    this.socket = null;
    this.since = null;
    this.failures = 0;
    this.timer = null;
    this.stopped = true;
  }

  start() {
    this.stopped = false;
    this.connect();
    window.addEventListener("online", this.reconnectNow);
    document.addEventListener("visibilitychange", this.reconnectNow);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.watchdog);
    window.removeEventListener("online", this.reconnectNow);
    document.removeEventListener("visibilitychange", this.reconnectNow);
    if (this.socket) this.socket.close(1000);
    this.socket = null;
  }

  /** Back online, or the tab shown again (phones suspend sockets): try now, not at backoff. */
  reconnectNow = () => {
    if (this.stopped || this.socket || document.hidden) return;
    clearTimeout(this.timer);
    this.connect();
  };

  /** (Re)arm the silence timer: a socket that says nothing for too long is given up. */
  heard(socket) {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      if (this.socket !== socket) return;
      this.socket = null; // its close event may come much later: it is ignored then
      socket.close();
      this.retry();
    }, SILENCE_MS);
  }

  setState(state) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: state }));
  }

  async connect() {
    if (this.connecting) return; // one attempt at a time ("online" and a timer may coincide)
    this.connecting = true;
    this.timer = null;
    let token;
    try {
      if (this.needsRefresh) await this.api.refresh();
      this.needsRefresh = false;
      token = await this.api.freshToken();
    } catch {
      if (this.api.signedIn && !this.stopped) this.retry();
      return;
    } finally {
      this.connecting = false;
    }
    if (this.stopped) return;
    const query = this.since == null ? "" : `&since=${this.since}`;
    const socket = new WebSocket(wsUrl(`/ws/jobs?token=${token}${query}`));
    this.socket = socket;
    this.setState(this.failures ? "reconnecting" : "connecting");
    socket.onopen = () => {
      this.heard(socket);
      const resumed = this.failures > 0;
      this.failures = 0;
      this.setState("live");
      if (resumed) this.dispatchEvent(new Event("resync"));
    };
    socket.onmessage = (event) => {
      this.heard(socket);
      this.receive(JSON.parse(event.data));
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      clearTimeout(this.watchdog);
      this.socket = null;
      if (this.stopped) return;
      if (this.resumeNow) this.connect();
      else this.retry();
      this.resumeNow = false;
    };
  }

  receive(message) {
    if (message.error) {
      // Both are followed by a close: after the connection time limit, reconnect at once;
      // after a refused token, refresh it first (a failed refresh signs the user out).
      this.resumeNow = message.error === "Connection timeout";
      this.needsRefresh = !this.resumeNow;
      return;
    }
    if (message.job_id) this.onJob(message); // a keepalive has only a cursor and a timestamp
    if (message.cursor != null) this.since = message.cursor;
  }

  retry() {
    this.failures += 1;
    this.setState("reconnecting");
    const base = BACKOFF_MS[Math.min(this.failures - 1, BACKOFF_MS.length - 1)];
    this.timer = setTimeout(() => this.connect(), base + Math.random() * base * 0.5);
  }
}
