"""The worklist's "Report" column: report status read from a real FHIR R4 server (Medplum, in
memory, the fixture of tests/report_delivery) after delivering reports with deliver_fhir; empty
with a tooltip when no RIS is configured; one sentence in the status line, and a UI that keeps
running, when the RIS does not answer."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from tests.report_delivery.conftest import fhir_server, fhir_server_folder  # noqa: E402, F401
from tests.report_delivery.fhir_server import FhirServer  # noqa: E402
from tests.report_delivery.reports import make_report_folder  # noqa: E402
from workstation.model.entities import LIBRARY, StudySummary  # noqa: E402
from workstation.model.query import StudyQuery  # noqa: E402
from workstation.report.delivery.fhir import FhirClient, deliver_fhir  # noqa: E402
from workstation.report.delivery.package import load_report_version  # noqa: E402
from workstation.report.delivery.profile import RisProfile  # noqa: E402
from workstation.settings import Settings, save_settings  # noqa: E402
from workstation.ui.worklist import NO_ACCESSION_TIP, NO_RIS_TIP, REPORT_COLUMN, WorklistWidget  # noqa: E402

pytestmark = pytest.mark.gui

STUDIES = [
    StudySummary("1.2.826.0.1.3680043.8.498.5001", patient_name="Alpha^A", accession_number="W-1",
                 study_date="20261125", study_description="CT HEAD", origins=frozenset({LIBRARY})),
    StudySummary("1.2.826.0.1.3680043.8.498.5002", patient_name="Beta^B", accession_number="W-2",
                 study_date="20261124", study_description="MR KNEE", origins=frozenset({LIBRARY})),
    StudySummary("1.2.826.0.1.3680043.8.498.5003", patient_name="Gamma^C", accession_number="W-3",
                 study_date="20261123", study_description="CR CHEST", origins=frozenset({LIBRARY})),
    StudySummary("1.2.826.0.1.3680043.8.498.5004", patient_name="Delta^D", accession_number="",
                 study_date="20261122", study_description="US ABDOMEN", origins=frozenset({LIBRARY})),
]


def _search(_query: StudyQuery, _source: str) -> list[StudySummary]:
    return list(STUDIES)


def _worklist(qtbot) -> WorklistWidget:  # type: ignore[no-untyped-def]
    widget = WorklistWidget(_search, ["Local library"])
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _column(widget: WorklistWidget) -> dict[str, tuple[str, str]]:
    """Study description -> (Report text, tooltip), read from the table's model."""
    out = {}
    for r in range(widget.model.rowCount()):
        report = widget.model.item(r, REPORT_COLUMN)
        out[widget.model.item(r, 6).text()] = (report.text(), report.toolTip())
    return out


def _deliver(tmp_path: Path, client: FhirClient, study: StudySummary, status: str,
             report_uid: str) -> None:
    folder = make_report_folder(tmp_path, study_uid=study.study_uid, status=status,
                                accession_number=study.accession_number, report_uid=report_uid)
    deliver_fhir(load_report_version(folder), client)


def test_report_column_shows_the_ris_status(qtbot, tmp_path: Path, fhir_server: FhirServer) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    save_settings(Settings(extras={"ris": {"name": "Test RIS", "fhir_url": fhir_server.url}}))
    client = FhirClient(RisProfile(fhir_url=fhir_server.url))
    _deliver(tmp_path, client, STUDIES[0], "final", "1.2.826.0.1.3680043.8.498.6001")
    _deliver(tmp_path, client, STUDIES[1], "preliminary", "1.2.826.0.1.3680043.8.498.6002")
    widget = _worklist(qtbot)
    widget.run_search()
    qtbot.waitUntil(lambda: widget.report_status(STUDIES[2].study_uid) is not None, timeout=15000)
    column = _column(widget)
    assert column["CT HEAD"][0] == "Final"
    assert column["MR KNEE"][0] == "Preliminary"
    assert column["CR CHEST"][0] == "No report"
    assert column["US ABDOMEN"] == ("", NO_ACCESSION_TIP)
    assert widget.report_status(STUDIES[0].study_uid) == "final"
    assert widget.report_status(STUDIES[2].study_uid) == "none"
    assert widget.status.text() == "4 studies found."

    # the report of W-1 is amended in the RIS; the next search shows it
    _deliver(tmp_path, client, STUDIES[0], "amended", "1.2.826.0.1.3680043.8.498.6001")
    widget.run_search()
    qtbot.waitUntil(lambda: widget.report_status(STUDIES[0].study_uid) == "amended", timeout=15000)
    assert _column(widget)["CT HEAD"][0] == "Amended"
    # sorting by the column keeps the rows' studies (the sort key is the label)
    widget.table.sortByColumn(REPORT_COLUMN, widget.table.horizontalHeader().sortIndicatorOrder())
    assert widget.report_status(STUDIES[1].study_uid) == "preliminary"


def test_no_ris_leaves_the_column_empty_with_a_tooltip(qtbot) -> None:  # type: ignore[no-untyped-def]
    widget = _worklist(qtbot)
    widget.run_search()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 4, timeout=5000)
    assert set(_column(widget).values()) == {("", NO_RIS_TIP)}
    assert widget.model.horizontalHeaderItem(REPORT_COLUMN).toolTip() == NO_RIS_TIP
    assert widget.status.text() == "4 studies found."


@pytest.fixture
def silent_ris() -> Iterator[str]:
    """A loopback port that accepts connections and never answers (a hung RIS)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/fhir/R4"
    sock.close()


def test_unresponsive_ris_is_one_sentence_and_no_freeze(qtbot, silent_ris: str) -> None:  # type: ignore[no-untyped-def]
    save_settings(Settings(extras={"ris": {"fhir_url": silent_ris, "read_timeout_s": 1.5}}))
    widget = _worklist(qtbot)
    started = time.monotonic()
    widget.run_search()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 4, timeout=5000)
    # the table is filled and the event loop keeps running while the RIS is silent
    assert time.monotonic() - started < 1.0
    assert widget.status.text() == "4 studies found."
    qtbot.waitUntil(lambda: "Report status unknown" in widget.status.text(), timeout=10000)
    text = widget.status.text()
    assert text.startswith("4 studies found. Report status unknown: The RIS at 127.0.0.1")
    assert text.count(". ") == 1 and text.endswith(".")
    assert "Alpha" not in text and "W-1" not in text
    assert _column(widget)["CT HEAD"][0] == ""
