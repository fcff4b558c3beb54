"""HL7 v2.5 ORU^R01 over MLLP against a real MLLP listener (the ``hl7`` package's server)."""

from __future__ import annotations

import base64
import socket
from pathlib import Path

import hl7
import pytest

from tests.report_delivery.mllp import MllpListener, free_port
from tests.report_delivery.reports import make_report_folder
from workstation.report.delivery.errors import DeliveryError
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
