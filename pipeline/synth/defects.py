"""Scan defects as pure functions on page arrays (uint8, 255 = paper); random ones take a numpy Generator.

Conventions, the same as the ground truth's: ``skew_deg`` positive turns the content counter-clockwise
(as seen on screen); ``rotation`` is the clockwise quarter-turn the page was scanned with, so a page scanned
with rotation 90 lies on its right side and ``np.rot90(scan, k=rotation // 90)`` turns it upright again.
"""

from __future__ import annotations

import cv2
import numpy as np


def rotate_quarter(image: np.ndarray, rotation: int) -> np.ndarray:
    """The page as scanned with a clockwise quarter-turn of 0, 90, 180 or 270 degrees."""
    if rotation not in (0, 90, 180, 270):
        raise ValueError(f"rotation must be 0, 90, 180 or 270, not {rotation}")
    return np.ascontiguousarray(np.rot90(image, k=-(rotation // 90)))


def warp(
    image: np.ndarray,
    *,
    skew_deg: float = 0.0,
    scale: float = 1.0,
    shift_px: tuple[float, float] = (0.0, 0.0),
    border: int = 255,
) -> np.ndarray:
    """Turns the content ``skew_deg`` counter-clockwise about the centre, scales and shifts it (x, y);
    the canvas keeps its size and uncovered parts take ``border``."""
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D(((width - 1) / 2, (height - 1) / 2), skew_deg, scale)
    matrix[0, 2] += shift_px[0]
    matrix[1, 2] += shift_px[1]
    fill = (border,) * (image.shape[2] if image.ndim == 3 else 1)
    return cv2.warpAffine(
        image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=fill
    )


def _smooth_field(shape: tuple[int, int], cells: int, rng: np.random.Generator) -> np.ndarray:
    """Random values in [0, 1] that change slowly across the page (a coarse grid, smoothly enlarged)."""
    grid = rng.random((cells, max(2, round(cells * shape[1] / shape[0])))).astype(np.float32)
    # cubic up to a small size gives the smooth shape; linear from there is as good and much faster
    small = cv2.resize(grid, (max(2, shape[1] // 16), max(2, shape[0] // 16)), interpolation=cv2.INTER_CUBIC)
    field = cv2.resize(small, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)
    return np.clip(field, 0.0, 1.0, out=field)


def _to_uint8(values: np.ndarray) -> np.ndarray:
    return np.clip(values, 0, 255, out=values).astype(np.uint8)


def _float(image: np.ndarray) -> np.ndarray:
    return image.astype(np.float32)


def uneven_background(image: np.ndarray, strength: float, rng: np.random.Generator) -> np.ndarray:
    """Aged, unevenly lit paper: every pixel darkened by up to ``strength`` (0..1), varying slowly."""
    if strength <= 0:
        return image
    shade = 1.0 - strength * _smooth_field(image.shape[:2], 5, rng)
    return _to_uint8(_float(image) * shade)


def fade_ink(image: np.ndarray, strength: float, rng: np.random.Generator) -> np.ndarray:
    """Faded ink and print: dark pixels lightened towards the paper by up to ``strength`` (0..1), in patches."""
    if strength <= 0:
        return image
    keep = 1.0 - strength * (0.5 + 0.5 * _smooth_field(image.shape[:2], 7, rng))
    ink = np.float32(255.0) - _float(image)
    ink *= keep
    return _to_uint8(np.float32(255.0) - ink)


def stains(image: np.ndarray, count: int, rng: np.random.Generator, *, darkness: float = 0.25) -> np.ndarray:
    """Water or tea stains: soft-edged blotches that darken what lies under them by up to ``darkness``."""
    if count <= 0:
        return image
    height, width = image.shape[:2]
    small = np.zeros((height // 8, width // 8), np.float32)
    for _ in range(count):
        centre = (int(rng.integers(0, small.shape[1])), int(rng.integers(0, small.shape[0])))
        # a stain spans 2 to 8 % of the page's width
        axes = tuple(max(1, round(small.shape[1] * float(rng.uniform(0.02, 0.08)))) for _ in range(2))
        cv2.ellipse(small, centre, axes, float(rng.uniform(0, 180)), 0, 360, float(rng.uniform(0.4, 1.0)), -1)
        # a stain's rim is darker than its middle
        cv2.ellipse(small, centre, axes, 0, 0, 360, 1.0, 2)
    small = cv2.GaussianBlur(small, (0, 0), 3)
    mask = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
    return _to_uint8(_float(image) * (1.0 - darkness * mask))


def gutter_shadow(image: np.ndarray, width_share: float, depth: float, *, left: bool = True) -> np.ndarray:
    """The dark band where a bound book's page curves into its spine: ``depth`` (0..1) at the edge."""
    width = image.shape[1]
    band = max(1, round(width * width_share))
    ramp = np.ones(width, np.float32)
    ramp[:band] = 1.0 - depth * (1.0 - np.linspace(0.0, 1.0, band, dtype=np.float32)) ** 2
    if not left:
        ramp = ramp[::-1]
    return _to_uint8(_float(image) * ramp[None, :])


def blur(image: np.ndarray, sigma: float) -> np.ndarray:
    return image if sigma <= 0 else cv2.GaussianBlur(image, (0, 0), sigma)


def gaussian_noise(image: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    if sigma <= 0:
        return image
    # one noise field for all channels of a colour scan: sensor noise is mostly in brightness
    noise = rng.standard_normal(image.shape[:2], dtype=np.float32)
    noise *= sigma
    noisy = image + (noise[..., None] if image.ndim == 3 else noise)
    return _to_uint8(noisy)


def jpeg_artifacts(image: np.ndarray, quality: int) -> np.ndarray:
    """The page after a round trip through JPEG at ``quality`` (1..100): blocks and ringing."""
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    decoded = cv2.imdecode(encoded, cv2.IMREAD_UNCHANGED) if ok else None
    if decoded is None:
        raise ValueError("JPEG round trip failed")
    return decoded


def paper_colour(image: np.ndarray, paper_rgb: tuple[int, int, int], ink_rgb: tuple[int, int, int]) -> np.ndarray:
    """A grey page as a colour scan: white becomes ``paper_rgb`` (yellowed), black becomes ``ink_rgb``."""
    light = (image.astype(np.float32) / 255.0)[..., None]
    paper = np.array(paper_rgb, np.float32)
    ink = np.array(ink_rgb, np.float32)
    return _to_uint8(ink + (paper - ink) * light)
