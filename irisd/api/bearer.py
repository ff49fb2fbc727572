"""Bearer authentication for /api/v1 (request[USER]); `ws_claims` and `active_user` for
WebSockets, which check the token before the per-user socket cap and the account after."""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from irisd.api.appkeys import DATABASE, TOKENS, USER
from irisd.auth.tokens import Claims
from irisd.auth.users import User, get_user
from irisd.errors import Unauthorized

API_PREFIX = "/api/v1/"
# The only REST routes a client can call before it has a token.
PUBLIC_ROUTES = frozenset(
    f"{API_PREFIX}{name}"
    for name in ("auth/login", "auth/login/json", "auth/refresh", "auth/register")
) | {f"{API_PREFIX}privacy/jurisdiction"}  # the clinic's consent text, shown before sign-in
BAD_HEADER = "The Authorization header must be 'Bearer <access token>'."
NO_ACCOUNT = "This account is disabled or no longer exists."


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every /api/v1 route except login, refresh and register needs a valid access token."""
    if _needs_token(request):
        request[USER] = await _load_user(request, _bearer(request))
    return await handler(request)


def ws_claims(request: web.Request, token: str | None) -> Claims:
    """A WebSocket's `?token=` checked without I/O (signature, type, expiry): its user id,
    and its login (`family`), whose revocation ends the socket; Unauthorized otherwise."""
    if not token:
        raise Unauthorized()
    return request.app[TOKENS].verify_access(token)


def _needs_token(request: web.Request) -> bool:
    # Decide by the matched route's pattern, not the raw path, so no spelling of a URL can
    # reach a protected handler while looking public. Unmatched paths under the API still
    # need a token: a stranger learns nothing about which routes exist.
    resource = request.match_info.route.resource
    path = resource.canonical if resource is not None else request.path
    return path.startswith(API_PREFIX) and path not in PUBLIC_ROUTES


def _bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization")
    if not header:
        raise Unauthorized()
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(BAD_HEADER)
    return token.strip()


async def _load_user(request: web.Request, token: str) -> User:
    return await active_user(request, request.app[TOKENS].verify_access(token))


async def active_user(request: web.Request, claims: Claims) -> User:
    """The active user of verified `claims`, if its login is not revoked; else Unauthorized."""
    await request.app[TOKENS].check_family(request.app[DATABASE], claims)
    user = await get_user(request.app[DATABASE], claims.user_id)
    if user is None or not user.is_active:
        raise Unauthorized(NO_ACCOUNT, user_id=claims.user_id)
    return user
