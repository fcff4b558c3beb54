"""A clipping box for 3D views: six axis-aligned planes in patient coordinates (LPS mm).

Patient coordinates are those of PS3.3 C.7.6.2.1.1 (x toward the patient's Left, y Posterior,
z Head). The box is view state, kept in the model so that the UI can drag its faces and a saved
view can restore it; the renderer turns it into six clipping planes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from workstation.errors import GeometryError

_FACES = ("left", "right", "posterior", "anterior", "head", "feet")


@dataclass(frozen=True)
class ClipBox:
    """Keep only what lies inside ``x_min..x_max``, ``y_min..y_max``, ``z_min..z_max`` (LPS mm).

    ``x_min`` is the face toward the patient's right, ``x_max`` toward the left; ``y_min``
    anterior, ``y_max`` posterior; ``z_min`` feet, ``z_max`` head.
    """

    x_min: float
    x_max: float
    y_min: float
    y_max: float
    z_min: float
    z_max: float

    def __post_init__(self) -> None:
        values = (self.x_min, self.x_max, self.y_min, self.y_max, self.z_min, self.z_max)
        if not all(np.isfinite(values)):
            raise GeometryError("A clipping box needs finite coordinates in millimetres.")
        if self.x_min > self.x_max or self.y_min > self.y_max or self.z_min > self.z_max:
            raise GeometryError("A clipping box's minimum must not exceed its maximum on any axis.")

    @classmethod
    def around(cls, corners: np.ndarray) -> ClipBox:
        """The smallest box holding the given (N, 3) LPS points (e.g. a volume's corners)."""
        points = np.asarray(corners, dtype=np.float64).reshape(-1, 3)
        low, high = points.min(axis=0), points.max(axis=0)
        return cls(float(low[0]), float(high[0]), float(low[1]), float(high[1]), float(low[2]), float(high[2]))

    @property
    def minimum(self) -> np.ndarray:
        return np.array([self.x_min, self.y_min, self.z_min])

    @property
    def maximum(self) -> np.ndarray:
        return np.array([self.x_max, self.y_max, self.z_max])

    def contains(self, point: np.ndarray) -> bool:
        p = np.asarray(point, dtype=np.float64).reshape(3)
        return bool(np.all(p >= self.minimum) and np.all(p <= self.maximum))

    def with_face(self, face: str, value: float) -> ClipBox:
        """The box with one face moved: 'right' (x_min), 'left' (x_max), 'anterior' (y_min),
        'posterior' (y_max), 'feet' (z_min) or 'head' (z_max)."""
        fields = {"right": "x_min", "left": "x_max", "anterior": "y_min", "posterior": "y_max", "feet": "z_min", "head": "z_max"}
        if face not in fields:
            raise GeometryError(f"A clipping box has no face '{face}'; use one of {', '.join(_FACES)}.")
        return replace(self, **{fields[face]: float(value)})

    def planes(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Six (point, inward unit normal) pairs; the box is where every normal points."""
        low, high = self.minimum, self.maximum
        result = []
        for axis in range(3):
            normal = np.zeros(3)
            normal[axis] = 1.0
            result.append((low.copy(), normal.copy()))
            result.append((high.copy(), -normal))
        return result
