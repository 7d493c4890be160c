"""The snapshot endpoint with real HTTP clients (httpx digest/basic auth)."""

from __future__ import annotations

import cv2
import httpx
import numpy as np

from monitor.simulator import PictureKind, SimulatedFleet


def _decode(body: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR)


async def test_snapshot_with_digest_auth_is_a_jpeg_of_the_camera_size(
    one_camera: SimulatedFleet,
) -> None:
    cam = next(iter(one_camera.cameras.values()))
    async with httpx.AsyncClient(
        auth=httpx.DigestAuth(cam.username, cam.password), timeout=5
    ) as http:
        reply = await http.get(cam.snapshot_url)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "image/jpeg"
    assert _decode(reply.content).shape == (cam.height, cam.width, 3)


async def test_snapshot_refuses_wrong_password_and_accepts_basic(
    one_camera: SimulatedFleet,
) -> None:
    cam = next(iter(one_camera.cameras.values()))
    async with httpx.AsyncClient(timeout=5) as http:
        wrong = await http.get(cam.snapshot_url, auth=httpx.DigestAuth(cam.username, "nope"))
        anonymous = await http.get(cam.snapshot_url)
        basic = await http.get(cam.snapshot_url, auth=httpx.BasicAuth(cam.username, cam.password))
    assert wrong.status_code == 401 and anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Digest ")
    assert basic.status_code == 200


async def test_live_picture_changes_slightly_frozen_not_at_all(one_camera: SimulatedFleet) -> None:
    cam = next(iter(one_camera.cameras.values()))
    auth = httpx.DigestAuth(cam.username, cam.password)
    async with httpx.AsyncClient(auth=auth, timeout=5) as http:
        live = [_decode((await http.get(cam.snapshot_url)).content) for _ in range(2)]
        one_camera.set_picture(cam.code, PictureKind.FROZEN)
        frozen = [(await http.get(cam.snapshot_url)).content for _ in range(2)]
        one_camera.set_picture(cam.code, PictureKind.NO_SIGNAL)
        blue = _decode((await http.get(cam.snapshot_url)).content)
    diff = np.abs(live[0].astype(int) - live[1].astype(int))
    assert (diff > 0).mean() > 0.5  # a live sensor: most pixels move...
    assert np.median(diff) <= 3  # ...by a grey level or two
    assert frozen[0] == frozen[1]
    b, g, r = blue.reshape(-1, 3).mean(axis=0)
    assert b > 120 and b > 2 * r and b > 2 * g  # the blue "NO VIDEO" screen
