// Live job updates over /ws/jobs?token= (all of the user's jobs), resuming with ?since=.

const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000]; // then stays at the last, plus jitter

function wsUrl(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

/**
 * One WebSocket for every job of the signed-in user. It reconnects on its own (backoff with
 * jitter) after a dropped connection or a server restart and passes ?since= so no state is
 * missed; "resync" asks the page to reload its list after a gap it cannot replay.
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
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    window.removeEventListener("online", this.reconnectNow);
    if (this.socket) this.socket.close(1000);
    this.socket = null;
  }

  reconnectNow = () => {
    if (this.stopped || (this.socket && this.socket.readyState <= WebSocket.OPEN)) return;
    clearTimeout(this.timer);
    this.connect();
  };

  setState(state) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: state }));
  }

  async connect() {
    this.timer = null;
    let token;
    try {
      if (this.needsRefresh) await this.api.refresh();
      this.needsRefresh = false;
      token = await this.api.freshToken();
    } catch {
      if (this.api.signedIn) this.retry();
      return;
    }
    if (this.stopped) return;
    const query = this.since == null ? "" : `&since=${this.since}`;
    const socket = new WebSocket(wsUrl(`/ws/jobs?token=${token}${query}`));
    this.socket = socket;
    this.setState(this.failures ? "reconnecting" : "connecting");
    socket.onopen = () => {
      const resumed = this.failures > 0;
      this.failures = 0;
      this.setState("live");
      if (resumed) this.dispatchEvent(new Event("resync"));
    };
    socket.onmessage = (event) => this.receive(JSON.parse(event.data));
    socket.onclose = () => {
      if (this.socket !== socket) return;
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
    for (const job of message.jobs || [message]) {
      if (job.job_id) this.onJob(job);
    }
    if (message.cursor != null) this.since = message.cursor;
  }

  retry() {
    this.failures += 1;
    this.setState("reconnecting");
    const base = BACKOFF_MS[Math.min(this.failures - 1, BACKOFF_MS.length - 1)];
    this.timer = setTimeout(() => this.connect(), base + Math.random() * base * 0.5);
  }
}
