"""The direct upload's multipart form: bounded in parts (issue 25 #5) and a long label is the
label's 422 (issue 25 #10), each refused before anything is stored."""

from __future__ import annotations

import aiohttp

from irisd.api.photos import MAX_FORM_PARTS, TOO_MANY_PARTS
from irisd.identity import BAD_LABEL, MAX_LABEL
from tests.support import images
from tests.support.clients import ApiClient


def _photo_form(extra_parts: int, label: str | None = None) -> aiohttp.FormData:
    form = aiohttp.FormData()
    for index in range(extra_parts):
        form.add_field(f"empty{index}", "")
    if label is not None:
        form.add_field("label", label)
    form.add_field("file", images.jpeg(64, 48), filename="eye.jpg", content_type="image/jpeg")
    return form


async def _photos(api: ApiClient) -> int:
    return int((await api.get("/api/v1/photos")).expect(200)["total"])


async def test_a_form_of_many_empty_parts_is_refused_before_its_file(api: ApiClient) -> None:
    reply = await api.request("POST", "/api/v1/photos", data=_photo_form(MAX_FORM_PARTS))
    assert (reply.status, reply.body) == (400, {"detail": TOO_MANY_PARTS})
    assert await _photos(api) == 0


async def test_a_form_with_a_few_extra_parts_still_uploads(api: ApiClient) -> None:
    reply = await api.request("POST", "/api/v1/photos", data=_photo_form(MAX_FORM_PARTS - 2))
    assert reply.status == 201


async def test_a_label_past_its_length_is_the_labels_422_not_a_too_large_file(
    api: ApiClient,
) -> None:
    form = _photo_form(0, label="x" * 500)
    reply = await api.request("POST", "/api/v1/photos", data=form)
    assert (reply.status, reply.body) == (422, {"detail": BAD_LABEL})
    assert await _photos(api) == 0
    exact = await api.request("POST", "/api/v1/photos", data=_photo_form(0, "é" * MAX_LABEL))
    assert exact.status == 201
