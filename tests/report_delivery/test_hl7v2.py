"""HL7 v2.5 ORU^R01 over MLLP against a real MLLP listener (the ``hl7`` package's server)."""

from __future__ import annotations

import base64
import os
import socket
from pathlib import Path

import hl7
import pytest
import requests

from tests.report_delivery.fhir_server import FhirServer
from tests.report_delivery.mllp import MllpListener, free_port
from tests.report_delivery.reports import make_report_folder
from tests.report_delivery.validators import validate_hl7
from workstation.report.delivery.errors import DeliveryError
from workstation.report.delivery.fhir import FhirClient, binary_id, deliver_fhir
from workstation.report.delivery.hl7v2 import (
    build_oru,
    check_ack,
    deliver_hl7,
    escape,
    message_control_id,
)
from workstation.report.delivery.package import load_report_version
from workstation.report.delivery.profile import RisProfile


def _profile(listener: MllpListener | None = None, **kw: object) -> RisProfile:
    host, port = (listener.host, listener.port) if listener else ("127.0.0.1", free_port())
    return RisProfile(mllp_host=host, mllp_port=port, mllp_timeout_s=2.0, **kw)  # type: ignore[arg-type]


def test_escape_covers_every_delimiter() -> None:
    assert escape("a|b^c&d~e\\f") == "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f"
    # the escaped text parses back to the original with the hl7 package's unescape
    msg = hl7.parse("MSH|^~\\&|A\rOBX|1|TX|||" + escape("x|y^z&w~v\\u") + "\r")
    assert msg.unescape(str(msg.segment("OBX")[5])) == "x|y^z&w~v\\u"


@pytest.mark.parametrize("status,code", [("preliminary", "P"), ("final", "F"),
                                         ("amended", "C"), ("appended", "C")])
def test_oru_structure(tmp_path: Path, status: str, code: str) -> None:
    version = load_report_version(make_report_folder(tmp_path, status=status))
    pdf = version.pdf_bytes()
    text = build_oru(version, pdf, RisProfile())
    msg = hl7.parse(text)
    assert str(msg.segment("MSH")[9]) == "ORU^R01^ORU_R01"
    assert str(msg.segment("MSH")[12]) == "2.5"
    assert str(msg.segment("MSH")[10]) == message_control_id(version)
    assert str(msg.segment("PID")[3]) == "PID-77"
    assert str(msg.segment("PID")[5]) == "Testperson^Anna^M"
    obr = msg.segment("OBR")
    assert str(obr[3]) == "ACC-2026-0042"
    assert str(obr[25]) == code
    assert str(obr[22]) == "20261125103000+0000"
    obx = msg.segments("OBX")
    tx = [s for s in obx if str(s[2]) == "TX"]
    lines = version.text_lines()
    assert len(tx) == len(lines)  # one OBX TX per line
    assert [msg.unescape(str(s[5])) for s in tx] == lines
    assert all(str(s[11]) == code for s in obx)
    assert "Headache & dizziness | 3 days ^ ~" in lines  # delimiters survived escaping
    ed = [s for s in obx if str(s[2]) == "ED"]
    assert len(ed) == 1
    assert str(ed[0][5][0][1]) == "AP" and str(ed[0][5][0][3]) == "Base64"
    assert base64.b64decode(str(ed[0][5][0][4])) == pdf


def test_ack_codes() -> None:
    ok = "MSH|^~\\&|RIS||WS||20261125||ACK|9|P|2.5\rMSA|AA|CTRL1\r"
    check_ack(ok, "CTRL1", "ris")
    with pytest.raises(DeliveryError, match="acknowledged another message") as info:
        check_ack(ok, "OTHER", "ris")
    assert info.value.retryable
    ae = "MSH|^~\\&|RIS||WS||20261125||ACK|9|P|2.5\rMSA|AE|CTRL1|Database busy\r"
    with pytest.raises(DeliveryError, match="HL7 AE: Database busy") as info:
        check_ack(ae, "CTRL1", "ris")
    assert info.value.retryable
    ar = ("MSH|^~\\&|RIS||WS||20261125||ACK|9|P|2.5\rMSA|AR|CTRL1\r"
          "ERR||OBR^1^3|103^Table value not found^HL70357|E||||Unknown accession number\r")
    with pytest.raises(DeliveryError, match="rejected the report .*Unknown accession") as info:
        check_ack(ar, "CTRL1", "ris")
    assert not info.value.retryable


def test_delivered_to_listener_byte_identical(tmp_path: Path, mllp_listener: MllpListener) -> None:
    version = load_report_version(make_report_folder(tmp_path))
    detail = deliver_hl7(version, _profile(mllp_listener))
    assert message_control_id(version) in detail
    [received] = mllp_listener.wait_for(1)
    msg = hl7.parse(received)
    [ed] = [s for s in msg.segments("OBX") if str(s[2]) == "ED"]
    assert base64.b64decode(str(ed[5][0][4])) == version.pdf_path.read_bytes()
    assert str(msg.segment("OBR")[3]) == version.accession_number


def test_application_error_carries_ack_text(tmp_path: Path, mllp_listener: MllpListener) -> None:
    mllp_listener.ack_code, mllp_listener.ack_text = "AR", "Order is closed"
    version = load_report_version(make_report_folder(tmp_path))
    with pytest.raises(DeliveryError, match="Order is closed") as info:
        deliver_hl7(version, _profile(mllp_listener))
    assert not info.value.retryable
    assert version.patient_id not in str(info.value)


def test_timeout_and_refused_are_retried_later(tmp_path: Path,
                                               mllp_listener: MllpListener) -> None:
    version = load_report_version(make_report_folder(tmp_path))
    mllp_listener.delay_s = 1.5
    profile = _profile(mllp_listener)
    profile.mllp_timeout_s = 0.5
    with pytest.raises(DeliveryError, match="did not acknowledge .* within 0.5 s") as info:
        deliver_hl7(version, profile)
    assert info.value.retryable
    with pytest.raises(DeliveryError, match="connection was refused") as info:
        deliver_hl7(version, _profile(None))
    assert info.value.retryable


def test_peer_closing_without_ack_is_retryable(tmp_path: Path) -> None:
    version = load_report_version(make_report_folder(tmp_path))
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    import threading

    def close_after_read() -> None:
        conn, _ = server.accept()
        conn.recv(1024)
        conn.close()

    t = threading.Thread(target=close_after_read)
    t.start()
    try:
        with pytest.raises(DeliveryError, match="closed the connection") as info:
            deliver_hl7(version, RisProfile(mllp_host="127.0.0.1", mllp_port=port,
                                            mllp_timeout_s=2))
        assert info.value.retryable
    finally:
        t.join(5)
        server.close()


def test_status_chosen_by_the_report_model_wins(tmp_path: Path) -> None:
    version = load_report_version(make_report_folder(tmp_path, status="appended",
                                                     hl7_result_status="F"))
    msg = hl7.parse(build_oru(version, version.pdf_bytes(), RisProfile()))
    assert str(msg.segment("OBR")[25]) == "F"


RPPS = "urn:oid:1.2.250.1.71.4.2.1"


def test_obr_exam_time_interpreter_and_strict_parse(tmp_path: Path) -> None:
    """OBR-7 is the exam time (not the signing time), OBR-32 names the interpreter in the CNN's
    own subcomponents with the RPPS number; the message parses in hl7apy's strict mode."""
    version = load_report_version(make_report_folder(
        tmp_path, study_date="20261124", study_time="1530", study_tz_offset="-0500",
        signer_identifier="10003456789", signer_identifier_system=RPPS,
        signer_family_name="Hopper", signer_given_name="Grace"))
    text = build_oru(version, version.pdf_bytes(), RisProfile())
    parsed = validate_hl7(text)
    obr = parsed.oru_r01_patient_result.oru_r01_order_observation.obr
    assert obr.obr_7.to_er7() == "20261124153000-0500"
    assert obr.obr_22.to_er7() == "20261125103000+0000"  # the signing time stays in OBR-22
    cnn = obr.obr_32.ndl_1
    assert cnn.cnn_1.to_er7() == "10003456789"
    assert cnn.cnn_2.to_er7() == "Hopper" and cnn.cnn_3.to_er7() == "Grace"
    assert cnn.cnn_10.to_er7() == "1.2.250.1.71.4.2.1" and cnn.cnn_11.to_er7() == "ISO"
    msg = hl7.parse(text)
    assert str(msg.segment("OBR")[3]) == "ACC-2026-0042"
    [uid] = [s for s in msg.segments("OBX") if str(s[2]) == "ST"]
    assert str(uid[3]) == "110180^Study Instance UID^DCM" and str(uid[5]) == version.study_uid


def test_no_exam_time_leaves_obr7_empty(tmp_path: Path) -> None:
    version = load_report_version(make_report_folder(tmp_path))
    msg = hl7.parse(build_oru(version, version.pdf_bytes(), RisProfile()))
    assert str(msg.segment("OBR")[7]) == ""


def test_no_accession_filler_is_the_study_uid(tmp_path: Path,
                                              mllp_listener: MllpListener) -> None:
    version = load_report_version(make_report_folder(tmp_path, accession_number=""))
    deliver_hl7(version, _profile(mllp_listener))
    [received] = mllp_listener.wait_for(1)
    obr = validate_hl7(received).oru_r01_patient_result.oru_r01_order_observation.obr
    assert obr.obr_3.ei_1.to_er7() == version.study_uid
    assert obr.obr_3.ei_3.to_er7() == version.study_uid and obr.obr_3.ei_4.to_er7() == "ISO"
    with_order = load_report_version(make_report_folder(
        tmp_path, accession_number="", placer_order_number="PL-1", filler_order_number="FI-2"))
    msg = hl7.parse(build_oru(with_order, with_order.pdf_bytes(), RisProfile()))
    assert (str(msg.segment("OBR")[2]), str(msg.segment("OBR")[3])) == ("PL-1", "FI-2")


def _large_report(tmp_path: Path) -> Path:
    folder = make_report_folder(tmp_path)
    pdf = folder / "report.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"%" + base64.b64encode(os.urandom(60_000)) + b"\n")
    return folder


def test_large_pdf_is_referenced_on_the_fhir_server(
    tmp_path: Path, mllp_listener: MllpListener, fhir_server: FhirServer
) -> None:
    version = load_report_version(_large_report(tmp_path))
    assert len(base64.b64encode(version.pdf_bytes())) > 65536  # over the default limit
    profile = _profile(mllp_listener, fhir_url=fhir_server.url)
    with pytest.raises(DeliveryError, match="does not hold it yet") as info:
        deliver_hl7(version, profile)  # the FHIR delivery has not happened yet
    assert info.value.retryable and mllp_listener.messages == []
    deliver_fhir(version, FhirClient(profile))
    assert "referenced" in deliver_hl7(version, profile)
    [received] = mllp_listener.wait_for(1)
    assert len(received) < 65536
    validate_hl7(received)
    [rp] = [s for s in hl7.parse(received).segments("OBX") if str(s[2]) == "RP"]
    assert not [s for s in hl7.parse(received).segments("OBX") if str(s[2]) == "ED"]
    url = str(rp[5][0][0])
    assert str(rp[5][0][2]) == "AP" and str(rp[5][0][3]) == "PDF"
    assert url == f"{fhir_server.url}/Binary/{binary_id(version)}"
    pdf = requests.get(url, headers={"Accept": "application/pdf"}, timeout=5).content
    assert pdf == version.pdf_bytes()


def test_large_pdf_without_fhir_is_refused_with_a_sentence(tmp_path: Path,
                                                           mllp_listener: MllpListener) -> None:
    version = load_report_version(_large_report(tmp_path))
    with pytest.raises(DeliveryError, match="larger than the RIS accepts") as info:
        deliver_hl7(version, _profile(mllp_listener))
    assert not info.value.retryable and "\n" not in str(info.value)
    # the limit is a setting: 0 embeds any size (for receivers known to take it)
    deliver_hl7(version, _profile(mllp_listener, hl7_max_ed_chars=0))
    [received] = mllp_listener.wait_for(1)
    mllp_listener.messages.clear()  # over hl7apy's TX length: not strictly valid, on purpose
    [ed] = [s for s in hl7.parse(received).segments("OBX") if str(s[2]) == "ED"]
    assert base64.b64decode(str(ed[5][0][4])) == version.pdf_bytes()


def test_strict_validator_refuses_what_receivers_refuse(tmp_path: Path) -> None:
    """The validator used above can fail: an ED over 65536 characters, a bad timestamp."""
    version = load_report_version(make_report_folder(tmp_path))
    good = build_oru(version, version.pdf_bytes(), RisProfile())
    validate_hl7(good)
    with pytest.raises(Exception, match="max length"):
        validate_hl7(build_oru(version, os.urandom(50_000), RisProfile()))
    with pytest.raises(Exception):  # noqa: B017 - hl7apy raises its own types
        validate_hl7(good.replace("|20261125103000+0000|", "|25 Nov 2026|"))
