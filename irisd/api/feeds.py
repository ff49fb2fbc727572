"""What each WebSocket sends (api/ws.py runs them): one job's states, or all of a user's jobs.

A feed is opened once the socket's checks pass (then it hears of every change until
`close()`), and says what to send first (`start`), what changed since (`changes`), whether
it has ended, and how it keeps the socket alive while nothing changes (`idle`). A job socket parks
in the server's keepalive ticker (api/keepalive.py), which repeats its latest state; a user
socket sends its own {"keepalive", "cursor", "timestamp"} message.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Protocol

from aiohttp import web

from irisd.api import schemas, wire
from irisd.api.appkeys import DATABASE, ENGINE, HUB, SETTINGS, TICKER
from irisd.api.keepalive import Idle, repeating
from irisd.api.urls import object_url
from irisd.auth.users import User
from irisd.errors import BadRequest, NotFound
from irisd.jobs import store
from irisd.jobs.hub import Subscription
from irisd.jobs.model import LiveState

Message = dict[str, Any]


class Feed(Protocol):
    ended: bool  # the final message was sent, or there is nothing more to send

    def close(self) -> None:
        """Stop hearing of changes."""

    async def start(self) -> list[Message]:
        """The first messages: the current state(s), or none when resuming (`?since=`)."""

    async def changes(self) -> list[Message]:
        """Every message not sent yet, in order."""

    async def idle(self, timeout_s: float) -> Message | None:
        """Wait for a change or `timeout_s`; a keepalive the socket must send itself, if any."""


def since(request: web.Request) -> int | None:
    """`?since=`: a seq (job socket) or a cursor (user socket), if given."""
    raw = request.query.get("since")
    if raw is None:
        return None
    value = schemas.whole_number(raw, 0, schemas.SQLITE_MAX_INT)
    if value is None:
        raise BadRequest("'since' must be a whole number.")
    return value


class _Subscribed:
    def __init__(self, request: web.Request, sub: Subscription, since: int | None) -> None:
        self.request = request
        self.url = partial(object_url, request)  # stored objects as the client fetches them
        self.hub = request.app[HUB]
        self.warm = request.app[ENGINE].warm  # a worker is ready (else jobs say "Getting ready")
        self.sub = sub
        self.since = since
        self.ended = False

    def close(self) -> None:
        self.sub.close()


class JobFeed(_Subscribed):
    """/ws/jobs/{job_id}: the job's states in seq order, up to and including the final one."""

    def __init__(
        self, request: web.Request, ws: web.WebSocketResponse, state: LiveState, since: int | None
    ) -> None:
        super().__init__(request, request.app[HUB].subscribe(job_id=state.job_id), since)
        self.ws = ws
        self.latest = state  # the newest state known to the socket
        self.last = state.seq  # the newest seq sent

    @classmethod
    async def open(cls, request: web.Request, ws: web.WebSocketResponse, user: User) -> JobFeed:
        job_id = request.match_info["job_id"]
        try:  # REST's own lookup: unknown, foreign and trashed (the job or its photo) alike
            db = request.app[DATABASE]
            found = await store.named_job(db, user.id, job_id, store.ALL_KINDS)
        except NotFound as exc:
            raise NotFound("Job not found.", job_id=job_id) from exc
        return cls(request, ws, found.record.state, since(request))

    async def start(self) -> list[Message]:
        if self.since is not None:
            self.last = self.since
            return []
        self.ended = self.latest.status.final
        return [wire.live(self.latest, self.url, self.warm())]

    async def changes(self) -> list[Message]:
        found = []
        for change in await self.hub.states_after(self.latest.job_id, self.last):
            found.append(wire.live(change, self.url, self.warm()))
            self.latest, self.last = change, change.seq
            if change.status.final:
                break
        self.ended = self.latest.status.final  # sent now, or resumed after it
        return found

    async def idle(self, timeout_s: float) -> Message | None:
        idle = self._idle()
        await self.request.app[TICKER].idle(self.sub, idle, timeout_s)
        # The ticker found this socket's buffer full: it sends the keepalive itself.
        return wire.live(self.latest, self.url, self.warm()) if idle.due else None

    def _idle(self) -> Idle:
        """How the ticker sends this socket its keepalives (the latest state, again)."""
        transport = self.request.transport
        if transport is None:
            raise ConnectionResetError("the client is gone")
        return Idle(
            job_id=self.latest.job_id,
            seq=self.latest.seq,
            render=repeating(wire.live(self.latest, self.url, self.warm())),
            transport=transport,
            ws=self.ws,
        )


class UserFeed(_Subscribed):
    """/ws/jobs: every change to the user's jobs, each with its `cursor` (job_events.id)."""

    def __init__(self, request: web.Request, user: User, since: int | None) -> None:
        super().__init__(request, request.app[HUB].subscribe(user_id=user.id), since)
        self.user_id = user.id
        self.cursor = 0

    @classmethod
    async def open(cls, request: web.Request, _ws: web.WebSocketResponse, user: User) -> UserFeed:
        return cls(request, user, since(request))

    async def start(self) -> list[Message]:
        if self.since is not None:
            self.cursor = self.since
            return []
        self.cursor = await self.hub.user_cursor()
        active = await store.active_for_user(self.request.app[DATABASE], self.user_id)
        return [wire.streamed(state, self.url, self.cursor, self.warm()) for state in active]

    async def changes(self) -> list[Message]:
        found = []
        for event_id, state in await self.hub.user_events_after(self.user_id, self.cursor):
            found.append(wire.streamed(state, self.url, event_id, self.warm()))
            self.cursor = event_id
        return found

    async def idle(self, timeout_s: float) -> Message | None:
        keepalive_s = self.request.app[SETTINGS].ws.keepalive_s
        if await self.sub.wait(min(keepalive_s, timeout_s)):
            return None
        return wire.keepalive(self.cursor)
