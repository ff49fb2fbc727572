"""The Host names this server answers to; any other is refused before routing (400).

With `[server] public_url` empty, signed URLs and the WebSocket's own origin are built from
the request's Host header. A page on another site whose name the attacker points at this
box (DNS rebinding) sends its own name as Host and as Origin: it was let in, and would get
signed URLs naming its host (issue 25 #10). So a request must name this box: an IP address
(what phones use), `localhost`, this machine's host name or `<host name>.local` (what
`irisd tls self-signed` puts in the certificate), public_url's host, or a name listed in
`[server] allowed_hosts`. DNS rebinding needs a name of the attacker's: none of these.
"""

from __future__ import annotations

import ipaddress
import socket
from functools import cache, lru_cache
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler

from irisd.api.appkeys import SETTINGS
from irisd.config import ServerSettings
from irisd.errors import BadRequest


class UnknownHost(BadRequest):
    message = (
        "This server does not answer to that name. Use its address, or add the name to"
        " [server] allowed_hosts."
    )


@web.middleware
async def host_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    name = host_name(request.host)
    if not answers_to(request.app[SETTINGS].server, name):
        raise UnknownHost(host=name[:100])
    return await handler(request)


def host_name(host: str) -> str:
    """The name or address in a Host header, without port, brackets, case or final dot."""
    if host.startswith("["):
        name = host[1:].partition("]")[0]
    else:
        name, colon, port = host.rpartition(":")
        if not colon or not port.isdigit():
            name = host
    return name.lower().rstrip(".")


@lru_cache(maxsize=1024)  # per request otherwise: 4 % of a reconnect flood's server time
def answers_to(server: ServerSettings, name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return name in own_names(server)
    return True  # an address is never a name an attacker controls


@cache
def own_names(server: ServerSettings) -> frozenset[str]:
    machine = socket.gethostname().lower()
    names = {"localhost", machine, f"{machine.partition('.')[0]}.local"}
    if server.public_url:
        names.add((urlsplit(server.public_url).hostname or "").lower())
    names.update(name.lower().rstrip(".") for name in server.allowed_hosts.split())
    return frozenset(names)
