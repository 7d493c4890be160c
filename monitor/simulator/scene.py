"""Procedural street-scene pictures (OpenCV/numpy) and their clear-cut fault variants."""

from __future__ import annotations

import functools
import threading
import time

import cv2
import numpy as np

from monitor.simulator.model import PictureKind

_SIGNS = ("TAP HOA", "CAFE", "PHO BO", "SUA XE", "THUOC", "BANH MI", "KARAOKE", "TIEM VANG")
_FACADES = ((170, 215, 235), (235, 235, 230), (120, 190, 225), (200, 200, 160), (150, 170, 210))
# How many pre-computed noise fields a live picture cycles through: enough that two
# consecutive grabs always differ, few enough to stay cheap in memory.
_NOISE_BANK = 4
# Offset between a camera's own view and the "turned away" view of the same generator.
_TURNED_SEED_OFFSET = 7919
# Centre and half-axes of the occluder of a covered lens, as shares of width and height.
_COVER = (0.2, 0.3, 0.45, 0.75)


def render_scene(seed: int, width: int = 640, height: int = 360) -> np.ndarray:
    """Draw a deterministic textured street scene (BGR uint8) for one camera seed."""
    rng = np.random.default_rng(seed)
    w, h = width, height
    img = np.zeros((h, w, 3), np.uint8)
    horizon = int(h * rng.uniform(0.30, 0.45))
    top = np.array(rng.uniform((190, 150, 110), (235, 200, 160)))
    bottom = np.array(rng.uniform((225, 215, 200), (250, 240, 230)))
    ramp = np.linspace(0.0, 1.0, horizon)[:, None]
    img[:horizon] = (top * (1 - ramp) + bottom * ramp).astype(np.uint8)[:, None, :]
    for _ in range(int(rng.integers(1, 4))):
        center = (int(rng.uniform(0, w)), int(rng.uniform(0, horizon * 0.6)))
        axes = (int(rng.uniform(w * 0.05, w * 0.15)), int(rng.uniform(h * 0.02, h * 0.05)))
        cv2.ellipse(img, center, axes, 0, 0, 360, (245, 245, 245), -1)
    ground = int(h * rng.uniform(0.62, 0.72))
    _draw_buildings(img, rng, horizon, ground)
    _draw_street(img, rng, ground)
    _draw_trees_and_poles(img, rng, horizon, ground)
    add, sub = _texture(w, h)
    img = np.asarray(cv2.subtract(cv2.add(img, add), sub), dtype=np.uint8)
    return cv2.GaussianBlur(img, (3, 3), 0)


@functools.lru_cache(maxsize=8)
def _texture(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Fine surface grain (Gaussian, sigma 6) shared by every scene of a size: drawn once."""
    grain = np.random.default_rng(0).normal(0.0, 6.0, (height, width, 3))
    return (np.clip(grain, 0, 255).astype(np.uint8), np.clip(-grain, 0, 255).astype(np.uint8))


def _draw_buildings(img: np.ndarray, rng: np.random.Generator, horizon: int, ground: int) -> None:
    """Row of tube houses with windows and shop signs between horizon and street."""
    h, w = img.shape[:2]
    x = -int(rng.uniform(0, w * 0.05))
    while x < w:
        bw = int(rng.uniform(w * 0.08, w * 0.2))
        roof = int(rng.uniform(horizon - h * 0.22, horizon + h * 0.05))
        colour = np.array(_FACADES[int(rng.integers(len(_FACADES)))]) * rng.uniform(0.75, 1.0)
        cv2.rectangle(img, (x, max(roof, 0)), (x + bw, ground), tuple(int(c) for c in colour), -1)
        cv2.rectangle(img, (x, max(roof, 0)), (x + bw, ground), (60, 60, 60), 1)
        win = max(bw // 6, 3)
        for wy in range(max(roof, 0) + win, ground - 3 * win, 2 * win):
            for wx in range(x + win, x + bw - win, 2 * win):
                shade = int(rng.uniform(40, 110))
                cv2.rectangle(img, (wx, wy), (wx + win, wy + win), (shade, shade, shade + 10), -1)
        sign_top = ground - int(h * 0.09)
        sign = (int(rng.uniform(0, 80)), int(rng.uniform(0, 120)), int(rng.uniform(150, 230)))
        cv2.rectangle(img, (x + 2, sign_top), (x + bw - 2, sign_top + int(h * 0.04)), sign, -1)
        text = _SIGNS[int(rng.integers(len(_SIGNS)))]
        cv2.putText(
            img,
            text,
            (x + 4, sign_top + int(h * 0.033)),
            cv2.FONT_HERSHEY_SIMPLEX,
            h / 1100,
            (255, 255, 255),
            1,
            cv2.LINE_AA,
        )
        x += bw


def _draw_street(img: np.ndarray, rng: np.random.Generator, ground: int) -> None:
    """Sidewalk, asphalt with lane markings and a parked motorbike or two."""
    h, w = img.shape[:2]
    walk = ground + int(h * 0.05)
    img[ground:walk] = (150, 160, 170)
    for x in range(0, w, max(w // 24, 4)):
        cv2.line(img, (x, ground), (x, walk), (120, 130, 140), 1)
    grey = int(rng.uniform(70, 100))
    img[walk:] = (grey, grey, grey + 5)
    mid = (walk + h) // 2
    dash = max(w // 16, 8)
    for x in range(int(rng.uniform(0, dash)), w, 2 * dash):
        cv2.rectangle(img, (x, mid - 2), (x + dash, mid + 2), (230, 230, 230), -1)
    for _ in range(int(rng.integers(1, 4))):
        bx = int(rng.uniform(0, w * 0.9))
        by = int(rng.uniform(walk + 5, h - 10))
        size = int(h * 0.04)
        body = tuple(int(c) for c in rng.uniform(20, 220, 3))
        cv2.circle(img, (bx, by), size // 2, (20, 20, 20), -1)
        cv2.circle(img, (bx + 2 * size, by), size // 2, (20, 20, 20), -1)
        cv2.rectangle(img, (bx, by - size), (bx + 2 * size, by - size // 3), body, -1)


def _draw_trees_and_poles(
    img: np.ndarray, rng: np.random.Generator, horizon: int, ground: int
) -> None:
    """Street trees, an electricity pole and its sagging wires."""
    h, w = img.shape[:2]
    for _ in range(int(rng.integers(1, 3))):
        tx = int(rng.uniform(0, w))
        cv2.line(img, (tx, ground + 5), (tx, ground - int(h * 0.12)), (40, 60, 80), 3)
        for _ in range(5):
            centre = (
                tx + int(rng.uniform(-h * 0.06, h * 0.06)),
                ground - int(h * 0.15) + int(rng.uniform(-h * 0.05, h * 0.05)),
            )
            green = (int(rng.uniform(30, 70)), int(rng.uniform(110, 160)), int(rng.uniform(40, 80)))
            cv2.circle(img, centre, int(h * 0.05), green, -1)
    px = int(rng.uniform(w * 0.1, w * 0.9))
    cv2.line(img, (px, ground + int(h * 0.04)), (px, int(horizon * 0.3)), (90, 90, 90), 4)
    for k in range(3):
        y = int(horizon * 0.3) + 6 * k
        cv2.line(img, (0, y + 8), (px, y), (30, 30, 30), 1)
        cv2.line(img, (px, y), (w, y + 12), (30, 30, 30), 1)


def degrade(view: np.ndarray, kind: PictureKind, seed: int) -> np.ndarray:
    """Turn a camera's healthy view into the fixed base picture of a fault kind."""
    h, w = view.shape[:2]
    if kind in (PictureKind.HEALTHY, PictureKind.FROZEN, PictureKind.NOISY):
        return view.copy()
    if kind is PictureKind.BLURRED:
        return cv2.GaussianBlur(view, (0, 0), sigmaX=w / 90)
    if kind is PictureKind.COVERED:
        cx, cy, ax, ay = (w * _COVER[0], h * _COVER[1], w * _COVER[2], h * _COVER[3])
        mask = np.zeros((h, w), np.uint8)
        cv2.ellipse(mask, (int(cx), int(cy)), (int(ax), int(ay)), -15, 0, 360, 255, -1)
        add, _ = _texture(w, h)
        # A cloth or bag on the lens: out of focus, dark in the middle, lighter where daylight
        # leaks in at its edge, with a faint weave.
        yy, xx = np.mgrid[0:h, 0:w]
        dist = np.hypot((xx - cx) / ax, (yy - cy) / ay)
        shade = (22 + 40 * np.clip(dist, 0, 1) ** 2).astype(np.uint8)
        occluder = cv2.add(cv2.merge((shade, shade, shade + 3)), add // 2)
        return cv2.copyTo(occluder, mask, view.copy())
    if kind is PictureKind.DARK:
        return cv2.convertScaleAbs(view, alpha=0.06, beta=2)
    if kind is PictureKind.TURNED_AWAY:
        return render_scene(seed + _TURNED_SEED_OFFSET, w, h)
    if kind is PictureKind.NO_SIGNAL:
        out = np.empty_like(view)
        out[:] = (160, 40, 10)  # the blue screen of DVRs and encoders (BGR)
        scale = h / 180
        (tw, th), _ = cv2.getTextSize("NO VIDEO", cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
        cv2.putText(
            out,
            "NO VIDEO",
            ((w - tw) // 2, (h + th) // 2),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            (255, 255, 255),
            2,
            cv2.LINE_AA,
        )
        return out
    if kind is PictureKind.OVEREXPOSED:
        # Glare / IR reflection: everything lifted towards white, the brightest parts clipped.
        return cv2.convertScaleAbs(view, alpha=0.7, beta=140)
    if kind is PictureKind.COLOR_CAST:
        # A stuck IR-cut filter: infrared floods the red and blue channels (BGR rows + offset).
        matrix = np.array([[0.75, 0, 0, 60], [0, 0.45, 0, 0], [0, 0, 0.8, 90]], np.float32)
        return cv2.transform(view, matrix)
    raise ValueError(f"unknown picture kind {kind!r}")


@functools.lru_cache(maxsize=128)
def base_picture(seed: int, kind: PictureKind, width: int, height: int) -> np.ndarray:
    """The fixed (noise-free) picture of one camera seed and kind; cached, read-only."""
    out = degrade(render_scene(seed, width, height), kind, seed)
    out.setflags(write=False)
    return out


@functools.lru_cache(maxsize=16)
def _noise_bank(width: int, height: int, amplitude: int) -> tuple[tuple[np.ndarray, ...], ...]:
    """Pairs of (add, subtract) uint8 noise fields, shared by every camera of one size."""
    rng = np.random.default_rng(amplitude * 1_000_003 + width)
    bank = []
    for _ in range(_NOISE_BANK):
        noise = rng.integers(-amplitude, amplitude + 1, (height, width, 3), dtype=np.int16)
        bank.append(
            (np.clip(noise, 0, None).astype(np.uint8), np.clip(-noise, 0, None).astype(np.uint8))
        )
    return tuple(bank)


class PictureSource:
    """The current picture of one camera: its base view plus per-grab sensor noise and OSD."""

    def __init__(self, code: str, seed: int, kind: PictureKind, width: int, height: int) -> None:
        self.code = code
        self.seed = seed
        self.width = width
        self.height = height
        self._lock = threading.Lock()
        self._grabs = 0
        self._frozen: np.ndarray | None = None
        self.kind = kind

    @property
    def kind(self) -> PictureKind:
        """The picture kind being shown."""
        return self._kind

    @kind.setter
    def kind(self, value: PictureKind) -> None:
        with self._lock:
            self._kind = PictureKind(value)
            self._frozen = None

    def grab(self) -> np.ndarray:
        """Return the camera's picture now (a frozen camera returns the very same buffer)."""
        with self._lock:
            kind = self._kind
            if kind is PictureKind.FROZEN:
                if self._frozen is None:
                    self._frozen = self._live(PictureKind.HEALTHY, 0)
                    self._frozen.setflags(write=False)
                return self._frozen
            self._grabs += 1
            return self._live(kind, self._grabs)

    def _live(self, kind: PictureKind, grab: int) -> np.ndarray:
        """Base picture + a sensor-noise field + the burnt-in clock."""
        base = base_picture(self.seed, kind, self.width, self.height)
        if kind is PictureKind.NO_SIGNAL:
            return base  # an encoder's blue screen is generated, not sensed: no noise
        # Heavy snow for `noisy`; a covered lens makes the auto-gain amplify sensor noise.
        amplitude = {PictureKind.NOISY: 60, PictureKind.COVERED: 2}.get(kind, 2)
        add, sub = _noise_bank(self.width, self.height, amplitude)[grab % _NOISE_BANK]
        frame = cv2.subtract(cv2.add(base, add), sub)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())
        cv2.putText(
            frame,
            f"{self.code} {stamp}",
            (8, 8 + int(self.height / 30)),
            cv2.FONT_HERSHEY_SIMPLEX,
            self.height / 900,
            (255, 255, 255),
            1,
            cv2.LINE_AA,
        )
        return frame


def encode_jpeg(frame: np.ndarray, quality: int = 85) -> bytes:
    """JPEG bytes of a BGR frame."""
    ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("OpenCV could not encode the frame as JPEG")
    return buf.tobytes()
