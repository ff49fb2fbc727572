"""One structured log line per request; the path only, never the query (it may hold ?token=).

Each answer is counted by status (`irisd_http_responses_total`). A client that left before
its answer (a refused WebSocket whose client hung up: issue 25 #10) is a 499, logged at info
like any other request, not a 500 with a traceback.
"""

from __future__ import annotations

import asyncio
import time

from aiohttp import web
from aiohttp.typedefs import Handler

from irisd.api.appkeys import METRICS, USER
from irisd.logs import get_logger

log = get_logger("irisd.access")


@web.middleware
async def access_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except asyncio.CancelledError:
        status = 499  # the client went away first (nginx's convention), not a server error
        raise
    except ConnectionError:
        status = 499  # api/errors.py lets only a gone client's through; aiohttp drops it
        raise
    finally:
        request.app[METRICS].inc("irisd_http_responses_total", status=str(status))
        user = request.get(USER)
        log.info(
            "request.handled",
            method=request.method,
            path=request.path,
            status=status,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            user_id=getattr(user, "id", None),
            remote=request.remote,
        )
