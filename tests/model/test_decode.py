"""Decoding: the same image in every transfer syntax gives the same stored values (PS3.5 8, A.4)."""

from __future__ import annotations

import copy
import io
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.encaps import encapsulate, generate_frames

from workstation.errors import DecodeError, InvalidDicomError
from workstation.model.decode import decode, decode_frame, decode_instance

WG04_LOSSLESS = ["J2KR", "JLSL", "JPLL", "RLE"]
WG04_IMAGES = ["CT1", "MR2", "NM1", "XA1", "US1", "VL1"]


def _bytes(path: Path) -> bytes:
    return path.read_bytes()


def _bundled(name: str) -> pydicom.Dataset:
    path = get_testdata_file(name, download=False)
    assert path is not None, f"pydicom's bundled test file {name} is missing"
    return pydicom.dcmread(path)


# ---- shared data: WG04 and dcm_qa_ts ---------------------------------------------------------


@pytest.mark.parametrize("image", WG04_IMAGES)
def test_wg04_lossless_syntaxes_equal_the_uncompressed_reference(shared_data: Path, image: str) -> None:
    root = shared_data / "codecs_wg04"
    reference = decode_instance(_bytes(root / "REF" / f"{image}_UNC.dcm"))
    compared = 0
    for syntax in WG04_LOSSLESS:
        path = root / syntax / f"{image}_{syntax}.dcm"
        if not path.exists():  # WG04 has no JPEG-LS/JPEG lossless variant of the colour images
            continue
        decoded = decode_instance(_bytes(path))
        assert decoded.dtype == reference.dtype, (syntax, decoded.dtype, reference.dtype)
        assert decoded.shape == reference.shape
        np.testing.assert_array_equal(decoded, reference, err_msg=f"{image} {syntax}")
        compared += 1
    assert compared >= 2


# Lossy syntaxes: tolerance as root-mean-square error relative to the image's value range.
# JPEG-LS near-lossless guarantees |error| <= NEAR (4 in WG04); JPEG 2000 lossy is about 10:1.
@pytest.mark.parametrize("image", ["CT1", "MR2", "XA1", "RG3"])
def test_wg04_lossy_syntaxes_stay_within_tolerance(shared_data: Path, image: str) -> None:
    root = shared_data / "codecs_wg04"
    reference = decode_instance(_bytes(root / "REF" / f"{image}_UNC.dcm")).astype(np.int64)
    value_range = reference.max() - reference.min()
    near = decode_instance(_bytes(root / "JLSN" / f"{image}_JLSN.dcm")).astype(np.int64)
    assert np.abs(near - reference).max() <= 4
    j2k = decode_instance(_bytes(root / "J2KI" / f"{image}_J2KI.dcm")).astype(np.int64)
    rms = np.sqrt(np.mean((j2k - reference) ** 2)) / value_range
    assert rms < 0.02, f"{image} JPEG 2000 lossy RMS error {rms:.3%} of range"
    assert not np.array_equal(j2k, reference)  # it really is lossy: the test can tell


def test_dcm_qa_ts_nine_syntaxes_identical(shared_data: Path) -> None:
    root = shared_data / "codecs_dcm_qa_ts"
    reference = decode(_bytes(root / "1.dcm"))
    syntaxes = {reference.transfer_syntax_uid}
    for number in range(2, 10):
        result = decode(_bytes(root / f"{number}.dcm"))
        syntaxes.add(result.transfer_syntax_uid)
        np.testing.assert_array_equal(result.pixels, reference.pixels, err_msg=f"{number}.dcm")
        assert result.pixels.dtype.isnative
    assert len(syntaxes) >= 7  # explicit/implicit/big endian, RLE, JPEG SV1, JPEG-LS, J2K


# ---- encapsulation edge cases ----------------------------------------------------------------


def test_single_frame_fragmented_and_offset_table_variants(shared_data: Path) -> None:
    root = shared_data / "codecs_dicomparser_encapsulation" / "encapsulated" / "single-frame"
    reference = decode_instance(_bytes(root / "CT1_UNC.explicit_little_endian.dcm"))
    variants = sorted(root.glob("CT1_UNC.*fragmented*"))
    assert len(variants) == 4
    for path in variants:
        np.testing.assert_array_equal(decode_instance(_bytes(path)), reference, err_msg=path.name)


def test_multi_frame_fragmented_and_offset_table_variants(shared_data: Path) -> None:
    root = shared_data / "codecs_dicomparser_encapsulation" / "encapsulated" / "multi-frame"
    reference = decode_instance(_bytes(root / "CT0012.explicit_little_endian.dcm"))
    assert reference.shape == (2, 512, 512)
    lossless = [
        "CT0012.fragmented_no_bot_jpeg_lossless.57.dcm",
        "CT0012.fragmented_no_bot_jpeg_lossless.70.dcm",
        "CT0012.fragmented_no_bot_jpeg_ls.80.dcm",
        "CT0012.not_fragmented_bot_jpeg_ls.80.dcm",
        "CT0012.not_fragmented_no_bot_jpeg_ls.80.dcm",
        "CT0012.not_fragmented_bot_rle.dcm",
        "CT0012.not_fragmented_no_bot_rle.dcm",
    ]
    for name in lossless:
        np.testing.assert_array_equal(decode_instance(_bytes(root / name)), reference, err_msg=name)
    near = decode_instance(_bytes(root / "CT0012.fragmented_no_bot_jpeg_ls.81.dcm"))
    assert np.abs(near.astype(int) - reference.astype(int)).max() <= 2
    # The 12-bit JPEG Extended copy was encoded with its values shifted by a constant (the file's
    # encoder did it; the header was left alone): after that offset the error is small.
    lossy = decode_instance(_bytes(root / "CT0012.fragmented_no_bot_jpeg_baseline.51.dcm")).astype(int)
    difference = lossy - reference.astype(int)
    offset = np.median(difference)
    assert np.abs(difference - offset).mean() < 1.0
    assert np.abs(difference - offset).max() <= 16


def test_multi_frame_colour_jpeg_baseline_matches_uncompressed(shared_data: Path) -> None:
    root = shared_data / "codecs_dicomparser_encapsulation" / "encapsulated" / "multi-frame"
    reference = decode(_bytes(root / "IM00001.implicit_little_endian.dcm"))
    jpeg = decode(_bytes(root / "IM00001.fragmented_no_bot_jpeg_baseline.50.dcm"))
    assert jpeg.pixels.shape == reference.pixels.shape == (8, 240, 320, 3)
    assert jpeg.photometric_interpretation == "RGB"
    difference = np.abs(jpeg.pixels.astype(int) - reference.pixels.astype(int))
    assert difference.mean() < 4  # converted from YCbCr exactly once; twice would be far off


# ---- pydicom's bundled files (always present) -----------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "MR_small_RLE.dcm",
        "MR_small_jp2klossless.dcm",
        "MR_small_jpeg_ls_lossless.dcm",
        "MR_small_bigendian.dcm",
        "MR_small_implicit.dcm",
        "MR_small_expb.dcm",
    ],
)
def test_bundled_mr_small_in_every_syntax(name: str) -> None:
    reference = decode_instance(_bundled("MR_small.dcm"))
    assert reference.shape == (1, 64, 64) and reference.dtype == np.int16
    decoded = decode_instance(_bundled(name))
    assert decoded.dtype == np.int16
    np.testing.assert_array_equal(decoded, reference)


def test_bytes_and_dataset_inputs_agree() -> None:
    path = get_testdata_file("CT_small.dcm", download=False)
    assert path is not None
    from_bytes = decode_instance(Path(path).read_bytes())
    from_ds = decode_instance(pydicom.dcmread(path))
    np.testing.assert_array_equal(from_bytes, from_ds)
    assert from_bytes.shape == (1, 128, 128)


def test_native_pixels_are_a_view_not_a_copy() -> None:
    ds = _bundled("CT_small.dcm")
    pixels = decode_instance(ds)
    assert not pixels.flags.owndata  # one copy only: the dataset's own bytes
    assert np.shares_memory(pixels, np.frombuffer(ds.PixelData, dtype=np.uint8))


def test_ybr_full_422_becomes_rgb_once() -> None:
    rgb = decode(_bundled("SC_rgb_rle.dcm"))
    ybr = decode(_bundled("SC_ybr_full_422_uncompressed.dcm"))
    assert ybr.photometric_interpretation == "RGB"
    assert ybr.pixels.shape == rgb.pixels.shape
    assert np.abs(ybr.pixels.astype(int) - rgb.pixels.astype(int)).mean() < 2


def test_colour_jpeg_from_two_encoders_matches_lossless_rgb() -> None:
    reference = decode_instance(_bundled("SC_rgb_rle.dcm")).astype(int)
    for name in ("SC_rgb_jpeg_gdcm.dcm", "SC_rgb_jpeg_dcmtk.dcm"):
        decoded = decode_instance(_bundled(name)).astype(int)
        assert np.abs(decoded - reference).mean() < 2, name


def test_planar_configuration_one_equals_zero() -> None:
    ds = _bundled("SC_rgb_small_odd.dcm")
    interleaved = decode_instance(ds)
    planar = copy.deepcopy(ds)
    planes = np.moveaxis(interleaved[0], -1, 0)  # (3, rows, cols): R plane, G plane, B plane
    planar.PixelData = np.ascontiguousarray(planes).tobytes() + b"\0" * (planes.size % 2)
    planar.PlanarConfiguration = 1
    np.testing.assert_array_equal(decode_instance(planar), interleaved)


def test_bits_stored_below_allocated_are_sign_extended() -> None:
    ds = _bundled("MR_small.dcm")  # int16, BitsStored 16
    values = decode_instance(ds)[0].astype(np.int32)
    twelve_bit = np.clip(values, -2048, 2047)
    dirty = (twelve_bit & 0x0FFF) | 0x5000  # 12-bit two's complement with junk in the high bits
    copy_ds = copy.deepcopy(ds)
    copy_ds.BitsStored, copy_ds.HighBit = 12, 11
    copy_ds.PixelData = dirty.astype(np.uint16).tobytes()
    np.testing.assert_array_equal(decode_instance(copy_ds)[0], twelve_bit)


def test_bits_stored_below_allocated_are_masked(shared_data: Path) -> None:
    ds = pydicom.dcmread(shared_data / "codecs_wg04" / "REF" / "MR2_UNC.dcm")
    assert ds.BitsStored == 12 and ds.PixelRepresentation == 0
    raw = np.frombuffer(ds.PixelData, dtype="<u2")
    decoded = decode_instance(ds)
    assert decoded.max() < 4096
    np.testing.assert_array_equal(decoded.reshape(-1), raw & 0x0FFF)


# ---- WADO-RS frames --------------------------------------------------------------------------


def test_decode_frame_of_compressed_multi_frame(shared_data: Path) -> None:
    path = shared_data / "codecs_dicomparser_encapsulation" / "encapsulated" / "multi-frame" / "CT0012.fragmented_no_bot_jpeg_ls.80.dcm"
    ds = pydicom.dcmread(path)
    whole = decode_instance(ds)
    frames = list(generate_frames(ds.PixelData, number_of_frames=2))
    header = copy.deepcopy(ds)
    del header.PixelData  # WADO-RS metadata of compressed instances has no PixelData
    for index, frame in enumerate(frames):
        decoded = decode_frame(frame, header, str(ds.file_meta.TransferSyntaxUID))
        np.testing.assert_array_equal(decoded, whole[index])


def test_decode_frame_of_native_data() -> None:
    ds = _bundled("MR_small.dcm")
    whole = decode_instance(ds)
    header = copy.deepcopy(ds)
    del header.PixelData
    frame = decode_frame(ds.PixelData, header, "1.2.840.10008.1.2.1")
    np.testing.assert_array_equal(frame, whole[0])


# ---- bad input -------------------------------------------------------------------------------


def _decode_error(data: bytes | pydicom.Dataset) -> str:
    with pytest.raises(DecodeError) as caught:
        decode_instance(data)
    message = str(caught.value)
    assert message.startswith("Cannot decode the pixels of instance ")
    assert message.endswith(".") and "\n" not in message
    return message


def test_truncated_native_pixel_data() -> None:
    ds = _bundled("MR_truncated.dcm")
    message = _decode_error(ds)
    assert ds.SOPInstanceUID in message
    assert "shorter than" in message and "truncated" in message
    assert str(ds.PatientName) not in message


def test_truncated_compressed_stream_is_corrupt(shared_data: Path) -> None:
    ds = pydicom.dcmread(shared_data / "codecs_wg04" / "JLSL" / "CT1_JLSL.dcm")
    frame = next(generate_frames(ds.PixelData, number_of_frames=1))
    ds.PixelData = encapsulate([frame[: len(frame) // 3]])
    message = _decode_error(ds)
    assert ds.SOPInstanceUID in message and "corrupt" in message
    assert "pyjpegls" in message  # says which decoders were tried
    # libjpeg alone turns this stream into a wrong image without complaint: never accepted


def test_fallback_plugin_is_used_when_the_first_lacks_the_feature(shared_data: Path) -> None:
    # gdcm and pillow cannot decode 12-bit JPEG Extended; the fallback to pylibjpeg does.
    path = shared_data / "codecs_dicomparser_encapsulation" / "encapsulated" / "multi-frame" / "CT0012.fragmented_no_bot_jpeg_baseline.51.dcm"
    result = decode(path.read_bytes())
    assert result.plugin == "pylibjpeg"
    assert any(reason.startswith("gdcm:") and "12-bit" in reason for reason in result.fallback_from)


def test_garbage_compressed_stream_is_corrupt() -> None:
    ds = _bundled("MR_small_jpeg_ls_lossless.dcm")
    ds.PixelData = encapsulate([b"\xff\xd8" + bytes(range(256)) * 8])
    assert "corrupt" in _decode_error(ds)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("orthanc/2026-05-26-oob-monochrome-65535.dcm", "GiB"),
        ("orthanc/2026-05-26-oob-monochrome-46341.dcm", "GiB"),
        ("fo-dicom/GH1376.dcm", "shorter than"),
        ("pydicom/badVR.dcm", "NumberOfFrames"),
        ("dcm4che/3gb-bulk-data-truncated", "Rows"),
        ("orthanc/MultiframeWindowing.dcm", "PixelRepresentation"),
        ("orthanc/Issue22-NoPixelData.dcm", "no pixel data"),
        ("pydicom/JPEG2000-embedded-sequence-delimiter.dcm", "corrupt"),
    ],
)
def test_malformed_files_give_one_sentence(shared_data: Path, name: str, words: str) -> None:
    data = (shared_data / "malformed" / name).read_bytes()
    message = _decode_error(data)
    assert words in message, message
    header = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True, force=True)
    if header.get("PatientName"):
        assert str(header.PatientName) not in message


def test_compressed_pixels_without_transfer_syntax() -> None:
    ds = _bundled("MR_small_jpeg_ls_lossless.dcm")
    del ds.file_meta.TransferSyntaxUID
    assert "Transfer Syntax UID" in _decode_error(ds)


def test_unsupported_transfer_syntax_names_it() -> None:
    ds = _bundled("MR_small_jpeg_ls_lossless.dcm")
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.100"  # MPEG2 video
    message = _decode_error(ds)
    assert "1.2.840.10008.1.2.4.100" in message and "MPEG2" in message


def test_not_dicom_at_all() -> None:
    with pytest.raises((InvalidDicomError, DecodeError)):
        decode_instance(b"\x00\x01 this is not a DICOM file" * 3)
