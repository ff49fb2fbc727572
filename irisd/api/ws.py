"""SCRATCH stub ws."""
from __future__ import annotations
import json
from datetime import UTC, datetime
from aiohttp import web
from irisd.appkeys import DATABASE, HUB, STORAGE
from irisd.auth.middleware import check_ws_token
from irisd.api.urls import absolute
from irisd.errors import NotFound, RequestError
from irisd.jobs import store
from irisd.jobs.model import JobStatus

routes = web.RouteTableDef()

@routes.get("/ws/jobs/{job_id}")
async def job_ws(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    try:
        user = await check_ws_token(request, request.query.get("token"))
        rec = await store.fetch_for_user(request.app[DATABASE], str(user.id), request.match_info["job_id"])
    except RequestError as exc:
        await ws.send_json({"error": type(exc).__name__, "detail": exc.text}); await ws.close(code=1008); return ws
    hub = request.app[HUB]
    job_id = rec.state.job_id
    state = hub.latest.get(job_id) or rec.state
    if rec.state.seq > state.seq: state = rec.state
    while True:
        ev = hub.event(job_id)
        cur = hub.latest.get(job_id, state)
        if cur.seq < state.seq: cur = state
        msg = {"job_id": job_id, "status": cur.status.value, "progress": cur.progress, "step": cur.display,
               "timestamp": datetime.now(UTC).isoformat(), "seq": cur.seq, "attempt": cur.attempt, "queue_position": cur.queue_position}
        if cur.status is JobStatus.COMPLETED:
            msg.update(result_url=absolute(request, request.app[STORAGE].presign_get(cur.result_key)), processing_time_ms=cur.processing_time_ms, result_width=cur.result_width, result_height=cur.result_height)
        if cur.status is JobStatus.FAILED:
            msg.update(error_type=cur.error_type, message=cur.error_message, suggestion=cur.suggestion)
        await ws.send_json(msg)
        if cur.status.final:
            await ws.close(); return ws
        state = cur
        await ev.wait()
