"""Operations endpoints: health, readiness, metrics, the OpenAPI document, the console."""

from __future__ import annotations

from irisd.config import Settings
from tests.support.clients import ApiClient


async def test_healthz_answers_without_auth(api: ApiClient) -> None:
    reply = await api.get("/healthz", auth=False)
    assert reply.status == 200


async def test_readyz_is_ready_with_database_storage_and_workers(api: ApiClient) -> None:
    reply = await api.get("/readyz", auth=False)
    assert reply.status == 200, reply.body


async def test_metrics_are_prometheus_text(api: ApiClient) -> None:
    reply = await api.get("/metrics", auth=False)
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/plain")
    text = reply.body.decode()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name_and_labels, value = line.rsplit(" ", 1)
            float(value)
            assert name_and_labels


async def test_openapi_lists_every_rest_route_of_the_server(api: ApiClient) -> None:
    from irisd.app import create_app

    reply = await api.get("/api/openapi.json", auth=False)
    assert reply.status == 200
    documented = {
        (method.upper(), path) for path, ops in reply.body["paths"].items() for method in ops
    }
    assert reply.body["openapi"].startswith("3.")
    app = create_app(Settings())
    served = set()
    for route in app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if path.startswith("/api/v1") and route.method != "HEAD":
            served.add((route.method, path))
    assert served == documented


async def test_unknown_path_is_404_in_the_contract_shape(api: ApiClient) -> None:
    reply = await api.get("/api/v1/nosuch")
    assert reply.status == 404
    assert set(reply.body) == {"detail"}
    assert reply.body["detail"]


async def test_console_is_served_at_root(api: ApiClient) -> None:
    reply = await api.get("/", auth=False)
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/html")
