"""Write an export: PS3.10 files in a folder, with a DICOMDIR (PS3.10 7.2, PS3.3 F) for
removable media, or in a ZIP; optionally de-identified; optionally with PNG/JPEG/MP4 pictures.

:func:`run_export` is the one place where an export happens (the command line and the File >
Export dialog both call it): the audit trail hooks in there.

Privacy: every folder written is 0700 and every file 0600 (:mod:`workstation.private`); file
names are numbers and DICOMDIR File IDs, never patient data. A de-identified export is read back
before it is declared done: if any file still holds the patient's name, ID, birth date or one of
the original UIDs, the export is removed and the user gets one sentence (defence in depth: the
profile should never let that happen).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from workstation.errors import Cancelled, WorkstationError
from workstation.export.deidentify import DeidentificationOptions, Deidentifier
from workstation.export.modes import owner_only_folder, tighten
from workstation.export.plan import plan_export
from workstation.model.source import CancelToken
from workstation.private import FILE_MODE

Progress = Callable[[int, int, str], None]
IMAGE_FORMATS = ("png", "jpeg", "mp4")


class ExportError(WorkstationError):
    """An export could not be written; the sentence says why and what to do."""


class InstanceSource(Protocol):
    """What an export reads: the local library (:class:`workstation.store.library.Library`)."""

    def study_headers(self, study_uid: str) -> list[Dataset]: ...

    def read_instance(self, sop_instance_uid: str) -> bytes: ...


@dataclass(frozen=True)
class ExportRequest:
    """What the user asked for (``workstation export`` options, the Export dialog's fields)."""

    study_uid: str
    out: Path
    series_uids: tuple[str, ...] = ()
    deidentify: bool = False
    options: DeidentificationOptions = field(default_factory=DeidentificationOptions)
    dicomdir: bool = False
    zip: bool = False
    images: str = ""  # "", "png", "jpeg" or "mp4"
    overlays: bool = True
    include_burned_in: bool = False


@dataclass
class ExportReport:
    """What an export wrote."""

    root: Path
    instances: int = 0
    held_back: int = 0
    notes: list[str] = field(default_factory=list)
    burned_in_held: int = 0
    images: list[Path] = field(default_factory=list)
    zip_path: Path | None = None
    dicomdir: Path | None = None

    def summary(self) -> str:
        where = self.zip_path or self.root
        parts = [f"{self.instances} instance(s) exported to {where}"]
        if self.dicomdir is not None:
            parts.append("with a DICOMDIR")
        if self.images:
            parts.append(f"and {len(self.images)} picture/video file(s)")
        line = " ".join(parts) + "."
        if self.held_back:
            line += f" {self.held_back} instance(s) were left out."
        if self.notes:
            line += " " + " ".join(self.notes)
        if self.burned_in_held:
            line += (" To export the images with burned-in text anyway, confirm it "
                     "(--include-burned-in).")
        return line


def run_export(request: ExportRequest, source: InstanceSource, *,
               progress: Progress | None = None, cancel: CancelToken | None = None) -> ExportReport:
    """Export ``request.study_uid`` from ``source`` as the request says; raises
    :class:`ExportError` (one sentence) when it cannot, :class:`Cancelled` when ``cancel`` is set
    (checked at every instance and picture; nothing is left in the folder either way)."""
    progress = _cancellable(progress, cancel)
    if request.images and request.images not in IMAGE_FORMATS:
        raise ExportError(f"Pictures can be png, jpeg or mp4, not {request.images!r}.")
    headers = source.study_headers(request.study_uid)
    if not headers:
        raise ExportError(f"Study {request.study_uid} is not in the local library; pull or import it first.")
    plan = plan_export(headers, request.series_uids, deidentify=request.deidentify,
                       include_burned_in=request.include_burned_in)
    if not plan.instances:
        if plan.burned_in_held:
            raise ExportError("Every image chosen has text burned into its pixels; confirm "
                              "(--include-burned-in) to export them anyway.")
        raise ExportError("Everything chosen is an encapsulated document (PDF or CDA), which a "
                          "de-identified export leaves out; export it without anonymising.")
    out = Path(request.out)
    _prepare_out(out)
    report = ExportReport(root=out, held_back=len(plan.held_back),
                          notes=list(plan.notes), burned_in_held=plan.burned_in_held)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=out)) if request.zip else out
    try:
        deid = Deidentifier(request.options) if request.deidentify else None
        written = _write_instances(plan.instances, source, staging, request, deid, progress)
        report.instances = len(written)
        if request.dicomdir:
            report.dicomdir = staging / "DICOMDIR"
        if deid is not None:
            _check_no_leak(staging, deid, progress)
        if request.images:
            from workstation.export.images import export_pictures

            report.images = export_pictures(written, staging / "IMAGES", request.images,
                                            overlays=request.overlays, progress=progress)
        tighten(staging)
        if request.zip:
            report.zip_path = _zip(staging, out)
            report.images = []
            report.dicomdir = None
    except Cancelled:
        _remove_written(out, staging, request)
        raise Cancelled("The export was cancelled; nothing was left in the folder.") from None
    except WorkstationError:
        _remove_written(out, staging, request)
        raise
    except OSError as exc:
        _remove_written(out, staging, request)
        raise ExportError(f"The export could not be written in {out} ({exc.strerror or exc}); "
                          "check the free space and that the folder can be written.") from exc
    finally:
        if request.zip:
            shutil.rmtree(staging, ignore_errors=True)
    return report


def _cancellable(progress: Progress | None, cancel: CancelToken | None) -> Progress | None:
    """``progress`` that first stops the export when ``cancel`` is set."""
    if cancel is None:
        return progress

    def report(done: int, total: int, what: str) -> None:
        cancel.raise_if_cancelled()
        if progress is not None:
            progress(done, total, what)

    return report


def _prepare_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} is a file; choose a folder for the export.")
    if out.is_dir() and any(not p.name.startswith(".") for p in out.iterdir()):
        raise ExportError(f"The folder {out} is not empty; choose an empty or new folder for the export.")
    try:
        owner_only_folder(out)
    except OSError as exc:
        raise ExportError(f"The folder {out} cannot be created ({exc.strerror or exc}); choose "
                          "another one.") from exc


def _read(data: bytes) -> Dataset:
    try:
        return pydicom.dcmread(io.BytesIO(data), force=False)
    except (InvalidDicomError, OSError, ValueError) as exc:
        raise ExportError(f"An instance of the study cannot be read ({type(exc).__name__}); "
                          "run 'workstation import' on it again.") from None


def _write_instances(uids: tuple[str, ...], source: InstanceSource, root: Path,
                     request: ExportRequest, deid: Deidentifier | None,
                     progress: Progress | None) -> list[Path]:
    """Write every instance; with a DICOMDIR through pydicom's FileSet (PS3.10 File IDs)."""
    from pydicom.fileset import FileSet

    from workstation.export.dicomdir import install_record_fallbacks

    install_record_fallbacks()
    fileset = FileSet() if request.dicomdir else None
    written: list[Path] = []
    series_folders: dict[str, Path] = {}
    total = len(uids)
    for number, uid in enumerate(uids, 1):
        ds = _read(source.read_instance(uid))
        _we_wrote_it(ds)
        if deid is not None:
            deid.deidentify(ds)
        if fileset is not None:
            try:
                fileset.add(ds)
            except (ValueError, KeyError, AttributeError) as exc:
                raise ExportError(f"Instance {number} of the export cannot go into a DICOMDIR "
                                  f"({_first_line(exc)}); export it without --dicomdir.") from None
        else:
            series = str(ds.get("SeriesInstanceUID", ""))
            folder = series_folders.get(series)
            if folder is None:
                folder = owner_only_folder(root / "DICOM" / f"S{len(series_folders) + 1:04d}")
                series_folders[series] = folder
            path = folder / f"I{number:05d}.dcm"
            buffer = io.BytesIO()
            ds.save_as(buffer, enforce_file_format=True)
            _write_private(path, buffer.getvalue())
            written.append(path)
        if progress is not None:
            progress(number, total, "Writing")
    if fileset is not None:
        try:
            fileset.write(root)
        except (ValueError, KeyError) as exc:
            raise ExportError(f"The DICOMDIR could not be written ({_first_line(exc)}); export "
                              "without --dicomdir.") from None
        written = [Path(instance.path) for instance in fileset]
    return written


def _we_wrote_it(ds: Dataset) -> None:
    """The file meta names the implementation that writes the file (PS3.10 7.1): this one."""
    from pydicom.uid import PYDICOM_IMPLEMENTATION_UID

    meta = getattr(ds, "file_meta", None)
    if meta is not None:
        meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
        meta.ImplementationVersionName = f"PYDICOM {pydicom.__version__}"[:16]
        for keyword in ("SourceApplicationEntityTitle", "SendingApplicationEntityTitle",
                        "ReceivingApplicationEntityTitle", "PrivateInformationCreatorUID",
                        "PrivateInformation"):
            if keyword in meta:
                delattr(meta, keyword)


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:160]


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _check_no_leak(root: Path, deid: Deidentifier, progress: Progress | None) -> None:
    """Read every file back and refuse the export if an identifier survived."""
    files = [p for p in root.rglob("*") if p.is_file()]
    originals = deid.replaced_uids()
    for number, path in enumerate(files, 1):
        data = path.read_bytes()
        found = deid.leaks(data, originals, text_part=without_pixel_values(data))
        if found:
            raise ExportError(
                f"The de-identified export still held {found[0]} in {path.name}; it was removed. "
                "Report this to support with the study's modality and vendor.")
        if progress is not None:
            progress(number, len(files), "Checking")


def without_pixel_values(data: bytes) -> bytes:
    """A PS3.10 file's bytes less the value of its Pixel Data (7FE0,0010): the part where text
    lives. An encapsulated (undefined length) value runs to the end of the file; a file in a
    syntax not read here (deflated, big endian) or that cannot be parsed is returned whole."""
    import struct

    from pydicom.uid import (
        DeflatedExplicitVRLittleEndian,
        ExplicitVRBigEndian,
        ImplicitVRLittleEndian,
    )

    fp = io.BytesIO(data)
    try:
        ds = pydicom.dcmread(fp, stop_before_pixels=True)
        syntax = str(ds.file_meta.get("TransferSyntaxUID", ""))
    except Exception:  # noqa: BLE001 - the whole file is then searched, never less
        return data
    start = fp.tell()
    if syntax in (DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian) or data[start:start + 4] != b"\xe0\x7f\x10\x00":
        return data
    at = start + 4 if syntax == ImplicitVRLittleEndian else start + 8
    (length,) = struct.unpack("<I", data[at:at + 4])
    end = len(data) if length == 0xFFFFFFFF else at + 4 + length
    return data[:start] + data[end:]


def _zip(staging: Path, out: Path) -> Path:
    """The staged export as one ZIP in ``out`` (its name: the time of the export)."""
    name = f"export-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.zip"
    target = out / name
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(staging.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(staging).as_posix())
    return target


def _remove_written(out: Path, staging: Path, request: ExportRequest) -> None:
    """After a failure: nothing half-written stays (the folder was empty before)."""
    if request.zip:
        shutil.rmtree(staging, ignore_errors=True)
        return
    for child in list(out.iterdir()) if out.is_dir() else []:
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
