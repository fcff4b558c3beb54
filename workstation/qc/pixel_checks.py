"""Pixel data check: every image must decode (PS3.5 8 and Annex A, PS3.3 C.7.6.3).

Each image's stored bytes go through :func:`workstation.model.decode.decode_instance`, the same
path the viewer uses, so "decodes here" means "displays here". A failure is an error naming the
instance, with the decoder's reason (missing codec, corrupt stream, truncated pixel data).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydicom.dataset import Dataset

from workstation.errors import WorkstationError
from workstation.model.decode import decode_instance
from workstation.qc.attributes import is_image, series_label, sop_uid, text
from workstation.qc.findings import Finding, Severity


def decode_findings(
    series_uid: str, headers: Sequence[Dataset], instance_bytes: Callable[[str], bytes]
) -> list[Finding]:
    """One error per image of the series whose pixel data cannot be decoded (or read)."""
    out: list[Finding] = []
    label = series_label(headers)
    for ds in headers:
        if not is_image(ds):
            continue
        uid = sop_uid(ds)
        try:
            data = instance_bytes(uid)
            decode_instance(data)
        except WorkstationError as exc:
            reason = str(exc)
        except Exception as exc:  # noqa: BLE001 - any codec failure is a finding, never a crash
            reason = f"Cannot decode the pixels of instance {uid}: {type(exc).__name__}."
        else:
            continue
        out.append(Finding(
            Severity.ERROR, "undecodable_pixels",
            f"{label.capitalize()}: {reason}",
            (uid,), text(ds, "SeriesInstanceUID") or series_uid))
    return out
