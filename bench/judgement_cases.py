"""The labelled set of the frame-judgement benchmark, built at run time from real photographs.

Photographs shipped inside scikit-image (no download) stand in for camera views. A small camera
model renders each grab: view crop -> lens (cover, blur) -> light level -> sensor noise -> ISP
(colour balance, IR greyscale, gamma) -> burnt-in OSD clock. Every grab gets fresh sensor noise, so
two grabs of a still scene differ the way a live camera's do. Fixed seeds: the same cases every run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np
from skimage import data

from probes.faults import FaultCode
from probes.frame import learn_reference

WIDTH, HEIGHT = 1280, 720
WORLD = (1800, 900)  # the part of the world a camera can see when turned; the view is 1280 x 720
HOME = (260, 90)  # where the view sits in the world when the camera is aimed right
SEED = 20261126

Frame = np.ndarray
Optics = Callable[[np.ndarray, np.random.Generator], np.ndarray]


@dataclass(frozen=True)
class Case:
    """One labelled judgement: the grab, the grab before it, the camera's reference, the truth."""

    name: str
    scene: str
    group: str  # "healthy" or the fault code generated
    current: Frame
    previous: Frame
    reference: Frame  # learned reference view (working size), as camwatch stores it
    reference_frame: Frame  # one full-size healthy grab, for assessors that want a whole frame
    expected: frozenset[FaultCode] = field(default_factory=frozenset)


def _photo(name: str) -> np.ndarray:
    rgb = data.stereo_motorcycle()[0] if name == "motorcycle" else getattr(data, name)()
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR) if rgb.ndim == 3 else cv2.merge([rgb] * 3)


def _world(photo: np.ndarray) -> np.ndarray:
    """The photo scaled to cover the world size and centre-cropped (uint8 BGR)."""
    w, h = WORLD
    scale = max(w / photo.shape[1], h / photo.shape[0])
    big = cv2.resize(
        photo,
        (round(photo.shape[1] * scale) + 1, round(photo.shape[0] * scale) + 1),
        interpolation=cv2.INTER_CUBIC,
    )
    y0, x0 = (big.shape[0] - h) // 2, (big.shape[1] - w) // 2
    return np.ascontiguousarray(big[y0 : y0 + h, x0 : x0 + w])


def _smooth_field(rng: np.random.Generator, shape: tuple[int, int], amplitude: float) -> np.ndarray:
    """Low-frequency random shading (a wall, a cloth, a hand out of focus), float32."""
    coarse = rng.normal(0.0, 1.0, (4, 6)).astype(np.float32)
    return cv2.resize(coarse, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC) * amplitude


def _with_wall(world: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A plain painted wall over the left part of the world."""
    out = world.copy()
    x1 = HOME[0] + 520
    shade = _smooth_field(rng, (out.shape[0], x1), 6.0)[..., None]
    paint = np.array([178, 196, 204], np.float32)  # pale cream wall (BGR)
    out[:, :x1] = np.clip(paint + shade, 0, 255).astype(np.uint8)
    return out


def _with_sky(world: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A clear sky gradient over the top part of the world."""
    out = world.copy()
    y1 = HOME[1] + 330
    t = np.linspace(0.0, 1.0, y1, dtype=np.float32)[:, None, None]
    top, horizon = np.array([200, 140, 90], np.float32), np.array([235, 210, 185], np.float32)
    sky = top * (1 - t) + horizon * t + _smooth_field(rng, (y1, out.shape[1]), 2.0)[..., None]
    out[:y1] = np.clip(np.broadcast_to(sky, (y1, out.shape[1], 3)), 0, 255).astype(np.uint8)
    return out


def _with_dark_area(world: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An unlit area (a yard with no lamp) over the bottom part of the world."""
    out = world.copy()
    y0 = HOME[1] + 400
    dark = 10.0 + _smooth_field(rng, (out.shape[0] - y0, out.shape[1]), 2.0)[..., None]
    out[y0:] = np.clip(np.broadcast_to(dark, (*dark.shape[:2], 3)), 0, 255).astype(np.uint8)
    return out


class Camera:
    """Renders grabs of one scene the way a camera would; deterministic from its seed."""

    def __init__(self, name: str, world: np.ndarray, seed: int, camera_id: int) -> None:
        self.name = name
        self.world = world
        self.rng = np.random.default_rng(seed)
        self.camera_id = camera_id
        self.clock = 3600 * 9 + 17 * camera_id

    def view(self, offset: tuple[int, int] = HOME, angle: float = 0.0) -> np.ndarray:
        """The optical image (float32) seen at `offset`, rotated by `angle` degrees."""
        x, y = offset
        if angle:
            centre = (x + WIDTH / 2, y + HEIGHT / 2)
            matrix = cv2.getRotationMatrix2D(centre, angle, 1.0)
            matrix[:, 2] -= (x, y)
            crop = cv2.warpAffine(
                self.world,
                matrix,
                (WIDTH, HEIGHT),
                flags=cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_REFLECT,
            )
        else:
            crop = self.world[y : y + HEIGHT, x : x + WIDTH]
        return crop.astype(np.float32)

    def grab(
        self,
        optical: np.ndarray | None = None,
        *,
        optics: Optics | None = None,
        gain: float = 1.0,
        noise: float = 1.5,
        balance: tuple[float, float, float] = (1.0, 1.0, 1.0),
        grey: bool = False,
        gamma: float = 1.0,
        offset: float = 0.0,
        tick: int = 1,
        osd: bool = True,
    ) -> np.ndarray:
        """One grab: lens, light, sensor noise, ISP, then the OSD clock (advanced by `tick` s)."""
        image = self.view() if optical is None else optical
        if optics is not None:
            image = optics(image, self.rng)
        image = image * gain if gain != 1.0 else image.copy()
        if noise:
            image += _noise(self.rng, noise)
        if balance != (1.0, 1.0, 1.0):
            image *= np.asarray(balance, np.float32)
        if grey:
            luma = cv2.cvtColor(np.clip(image, 0, 255, out=image), cv2.COLOR_BGR2GRAY)
            image = cv2.cvtColor(luma, cv2.COLOR_GRAY2BGR)
        if gamma != 1.0:
            np.clip(image, 0, 255, out=image)
            image = cv2.pow(image * (1 / 255.0), 1.0 / gamma) * 255.0
        if offset:
            image += offset
        image = np.clip(image, 0, 255, out=image).astype(np.uint8)
        self.clock += tick
        return self.stamp(image) if osd else image

    def stamp(self, image: np.ndarray, clock: int | None = None) -> np.ndarray:
        """Burn the OSD clock and camera name into the top-left corner (a new array)."""
        t = self.clock if clock is None else clock
        clock = f"{t // 3600 % 24:02d}:{t // 60 % 60:02d}:{t % 60:02d}"
        text = f"2026-11-26 {clock}  CAM-{self.camera_id:03d}"
        out = image.copy()
        cv2.putText(out, text, (24, 44), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 5, cv2.LINE_AA)
        cv2.putText(
            out, text, (24, 44), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 255, 255), 2, cv2.LINE_AA
        )
        return out


_NOISE_BANK: list[np.ndarray] = []


def _noise(rng: np.random.Generator, sigma: float) -> np.ndarray:
    """Gaussian sensor noise for one grab: a random window of a fixed-seed noise bank, scaled."""
    if not _NOISE_BANK:
        bank_rng = np.random.default_rng(SEED)  # windows drawn per camera seed vary per run
        _NOISE_BANK.append(bank_rng.standard_normal((HEIGHT + 97, WIDTH + 131, 3), np.float32))
    bank = _NOISE_BANK[0]
    dy, dx = int(rng.integers(0, 97)), int(rng.integers(0, 131))
    return bank[dy : dy + HEIGHT, dx : dx + WIDTH] * sigma


# --- lens and scene degradations (before the sensor) ---------------------------------------


def blur(sigma: float, fog: float = 0.0) -> Optics:
    """Out of focus (Gaussian, `sigma` px at 720p), optionally fogged (veiled towards grey)."""

    def apply(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        # Blur at half size: the same look at 720p (sigma >= 4 px) for a quarter of the work.
        half = cv2.resize(
            image, (image.shape[1] // 2, image.shape[0] // 2), interpolation=cv2.INTER_AREA
        )
        soft = cv2.GaussianBlur(half, (0, 0), sigma / 2)
        out = cv2.resize(soft, (image.shape[1], image.shape[0]))
        return out * (1 - fog) + 150.0 * fog if fog else out

    return apply


def cover(region: str, level: float, colour: tuple[float, float, float] = (1, 1, 1)) -> Optics:
    """Something close to the lens (hand, cloth, leaves, paper) over `region` of the view."""

    def apply(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        h, w = image.shape[:2]
        mask = np.zeros((h, w), np.float32)
        if region == "full":
            mask[:] = 1
        elif region == "left60":
            mask[:, : int(0.6 * w)] = 1
        elif region == "bottom45":
            mask[int(0.55 * h) :] = 1
        elif region == "corner50":
            cv2.ellipse(mask, (w, h), (int(0.95 * w), int(0.9 * h)), 0, 0, 360, 1.0, -1)
        elif region == "right40":
            mask[:, int(0.6 * w) :] = 1
        # An out-of-focus edge; blurring a 1/8 size mask and scaling it up is as smooth and cheap.
        small = cv2.resize(mask, (w // 8, h // 8), interpolation=cv2.INTER_AREA)
        mask = cv2.resize(cv2.GaussianBlur(small, (0, 0), 25 / 8), (w, h))[..., None]
        shade = level + _smooth_field(rng, (h, w), 8.0)[..., None]
        thing = shade * np.asarray(colour, np.float32)
        return image * (1 - mask) + thing * mask

    return apply


# --- the set ---------------------------------------------------------------------------------

COLOUR_SCENES = ("astronaut", "coffee", "chelsea", "rocket", "motorcycle")
FLAT_VARIANT = {
    "astronaut": _with_wall,
    "coffee": _with_dark_area,
    "chelsea": _with_sky,
    "rocket": _with_wall,
    "motorcycle": _with_sky,
}
NO_SIGNAL_SCREENS = (
    ((160, 40, 0), "NO VIDEO"),
    ((0, 0, 0), "NO SIGNAL"),
    ((96, 96, 96), "VIDEO LOSS"),
    ((0, 0, 0), ""),
    ((120, 20, 10), "No Video Input"),
    ((230, 230, 230), "CH1  NO VIDEO"),
)


def _no_signal(screen: int, cam: Camera, clock: int) -> np.ndarray:
    colour, text = NO_SIGNAL_SCREENS[screen]
    image = np.empty((HEIGHT, WIDTH, 3), np.uint8)
    image[:] = colour
    if text:
        size = cv2.getTextSize(text, cv2.FONT_HERSHEY_DUPLEX, 2.0, 3)[0]
        org = ((WIDTH - size[0]) // 2, (HEIGHT + size[1]) // 2)
        ink = (0, 0, 0) if sum(colour) > 400 else (255, 255, 255)
        cv2.putText(image, text, org, cv2.FONT_HERSHEY_DUPLEX, 2.0, ink, 3, cv2.LINE_AA)
    return cam.stamp(image, clock)


def _reference(cam: Camera, **grab: object) -> tuple[np.ndarray, np.ndarray]:
    frames = [cam.grab(**grab) for _ in range(3)]
    return learn_reference(frames), frames[0]


def _healthy_and_faults(
    scene: str, cam: Camera, colour: bool, screen: int, other: np.ndarray
) -> Iterator[tuple[str, str, np.ndarray, np.ndarray, frozenset[FaultCode]]]:
    """(name, group, current, previous, expected) for one camera at home position."""
    none: frozenset[FaultCode] = frozenset()
    one = frozenset

    # Healthy: every grab of a live camera carries fresh sensor noise and a new OSD second.
    prev = cam.grab()
    yield "still", "healthy", cam.grab(), prev, none
    for dx, dy in ((3, -2), (-6, 4)):
        shaken = cam.view((HOME[0] + dx, HOME[1] + dy))
        yield f"shake_{abs(dx)}px", "healthy", cam.grab(shaken), cam.grab(), none
    evening = {"gain": 0.42, "noise": 3.0, "gamma": 1.25, "balance": (0.95, 1.0, 1.04)}
    yield "evening", "healthy", cam.grab(**evening), cam.grab(**evening), none
    night = {"gain": 0.55, "noise": 3.5, "grey": True, "gamma": 1.3}
    yield "night_ir_grey", "healthy", cam.grab(**night), cam.grab(**night), none
    yield (
        "dusk",
        "healthy",
        cam.grab(gain=0.25, noise=3.0, gamma=1.6),
        cam.grab(gain=0.25, noise=3.0, gamma=1.6),
        none,
    )

    # no_signal: an encoder's "no video" screen, its clock still ticking.
    yield (
        "no_signal",
        "no_signal",
        _no_signal(screen, cam, cam.clock + 1),
        _no_signal(screen, cam, cam.clock),
        one({FaultCode.NO_SIGNAL}),
    )

    for sigma in (4.0, 7.0, 12.0):
        optical = blur(sigma)(cam.view(), cam.rng)
        yield f"blur_{sigma:g}", "blur", cam.grab(optical), cam.grab(optical), one({FaultCode.BLUR})
    optical = blur(5.0, 0.5)(cam.view(), cam.rng)
    yield "fogged", "blur", cam.grab(optical), cam.grab(optical), one({FaultCode.BLUR})

    for gain in (0.07, 0.04):
        dark = {"gain": gain, "noise": 2.5}
        yield (
            f"too_dark_{gain:g}",
            "too_dark",
            cam.grab(**dark),
            cam.grab(**dark),
            one({FaultCode.TOO_DARK}),
        )

    glare = {"gain": 2.6, "offset": 40.0}
    yield "glare", "overexposed", cam.grab(**glare), cam.grab(**glare), one({FaultCode.OVEREXPOSED})
    washed = {"gain": 0.35, "offset": 175.0}
    yield (
        "washed_out",
        "overexposed",
        cam.grab(**washed),
        cam.grab(**washed),
        one({FaultCode.OVEREXPOSED}),
    )

    covers = (
        ("full", 95.0, (0.9, 1.0, 1.1)),
        ("left60", 60.0, (1.0, 1.0, 1.0)),
        ("corner50", 130.0, (0.8, 1.0, 1.2)),
        ("bottom45", 45.0, (0.7, 0.9, 1.0)),
    )
    for region, level, tint in covers:
        optical = cover(region, level, tint)(cam.view(), cam.rng)
        yield (
            f"covered_{region}",
            "covered",
            cam.grab(optical),
            cam.grab(optical),
            one({FaultCode.COVERED}),
        )

    # frozen: the encoder repeats one buffer; a DVR may still burn a ticking clock onto it.
    raw = cam.grab(osd=False)
    buffer = cam.stamp(raw)
    yield "frozen_exact", "frozen", buffer, buffer.copy(), one({FaultCode.FROZEN})
    yield (
        "frozen_clock_ticks",
        "frozen",
        cam.stamp(raw, cam.clock + 5),
        cam.stamp(raw, cam.clock + 4),
        one({FaultCode.FROZEN}),
    )

    # scene_changed: turned, tilted, rotated on its bracket, or pointed somewhere else.
    turned = {
        "panned_20pct": ((0, HOME[1]), 0.0),
        "pan_tilt": ((2 * HOME[0], 0), 0.0),
        "rotated_12deg": (HOME, 12.0),
    }
    for name, (offset, angle) in turned.items():
        view = cam.view(offset, angle)
        yield name, "scene_changed", cam.grab(view), cam.grab(view), one({FaultCode.SCENE_CHANGED})
    yield (
        "other_view",
        "scene_changed",
        cam.grab(other),
        cam.grab(other),
        one({FaultCode.SCENE_CHANGED}),
    )

    for sigma in (12.0, 20.0):
        yield (
            f"noisy_{sigma:g}",
            "noisy",
            cam.grab(noise=sigma),
            cam.grab(noise=sigma),
            one({FaultCode.NOISY}),
        )
    yield "snow", "noisy", _snow(cam), _snow(cam), one({FaultCode.NOISY})

    if colour:
        casts = {
            "ir_cut_stuck": (1.22, 0.80, 1.30),  # IR leaks in: magenta-pink
            "green": (0.85, 1.22, 0.85),
            "blue": (1.35, 1.0, 0.78),
        }
        for name, balance in casts.items():
            yield (
                f"cast_{name}",
                "color_cast",
                cam.grab(balance=balance),
                cam.grab(balance=balance),
                one({FaultCode.COLOR_CAST}),
            )


def _snow(cam: Camera) -> np.ndarray:
    """Cable interference: noise plus a share of pixels replaced by random white/black dots."""
    image = cam.grab(noise=9.0)
    hit = cam.rng.random(image.shape[:2]) < 0.08
    image[hit] = np.where(cam.rng.random((int(hit.sum()), 1)) < 0.5, 0, 255).astype(np.uint8)
    return image


def build_cases(seed: int = SEED) -> list[Case]:
    """Every labelled case of the judgement benchmark (fixed seeds, 208 cases, 1280 x 720).

    Another `seed` renders the same scenes and degradations with other sensor noise, cover
    shading, wall/sky texture and OSD timing: a held-out check that thresholds were not fitted
    to one draw.
    """
    cases: list[Case] = []
    scenes = (*COLOUR_SCENES, "camera")
    worlds = {scene: _world(_photo(scene)) for scene in scenes}
    for index, scene in enumerate(scenes):
        colour = scene != "camera"
        other_world = worlds[scenes[(index + 1) % len(scenes)]]
        cam = Camera(scene, worlds[scene], seed + index, camera_id=index + 1)
        # A monochrome camera delivers equal channels, as OpenCV decodes it.
        grab_defaults = {} if colour else {"grey": True}
        if not colour:
            cam.grab = _greyed(cam.grab)
        reference, reference_frame = _reference(cam, **grab_defaults)
        other = other_world[HOME[1] : HOME[1] + HEIGHT, HOME[0] : HOME[0] + WIDTH].astype(
            np.float32
        )
        for name, group, current, previous, expected in _healthy_and_faults(
            scene, cam, colour, index, other
        ):
            cases.append(
                Case(
                    f"{scene}/{name}",
                    scene,
                    group,
                    current,
                    previous,
                    reference,
                    reference_frame,
                    expected,
                )
            )
        if colour:
            cases.extend(_flat_cases(scene, worlds[scene], index, seed))
    return cases


def _greyed(grab: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    def grey_grab(*args: object, **kwargs: object) -> np.ndarray:
        kwargs.setdefault("grey", True)
        return grab(*args, **kwargs)

    return grey_grab


def _flat_cases(scene: str, world: np.ndarray, index: int, seed: int) -> list[Case]:
    """A view with a large flat area (wall, sky, unlit yard) that its reference also shows."""
    rng = np.random.default_rng(seed + 100 + index)
    flat_world = FLAT_VARIANT[scene](world, rng)
    cam = Camera(f"{scene}+flat", flat_world, seed + 200 + index, camera_id=20 + index)
    reference, reference_frame = _reference(cam)
    label = FLAT_VARIANT[scene].__name__.removeprefix("_with_")
    none: frozenset[FaultCode] = frozenset()
    evening = {"gain": 0.42, "noise": 3.0, "gamma": 1.25}
    shaken = cam.view((HOME[0] + 4, HOME[1] - 3))
    blurred = blur(7.0)(cam.view(), cam.rng)
    covered = cover("right40", 70.0)(cam.view(), cam.rng)
    rows = [
        (f"{label}/still", "healthy", cam.grab(), cam.grab(), none),
        (f"{label}/shake_4px", "healthy", cam.grab(shaken), cam.grab(), none),
        (f"{label}/evening", "healthy", cam.grab(**evening), cam.grab(**evening), none),
        (
            f"{label}/blur_7",
            "blur",
            cam.grab(blurred),
            cam.grab(blurred),
            frozenset({FaultCode.BLUR}),
        ),
        (
            f"{label}/covered_right40",
            "covered",
            cam.grab(covered),
            cam.grab(covered),
            frozenset({FaultCode.COVERED}),
        ),
    ]
    return [
        Case(f"{scene}+{name}", scene, group, cur, prev, reference, reference_frame, expected)
        for name, group, cur, prev, expected in rows
    ]
