"""Importing an IHE MRRT template from the report editor and writing a report with it."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pydicom
import pytest

pytest.importorskip("pytestqt")

import workstation.qc.visibility  # noqa: E402, F401 - imported on this thread (see report_editor)
from workstation import demo  # noqa: E402
from workstation.model.entities import LIBRARY, StudySummary  # noqa: E402
from workstation.report.templates import user_template_folder  # noqa: E402
from workstation.settings import load_settings  # noqa: E402
from workstation.ui.report_editor import FieldEditor, ReportEditor  # noqa: E402

pytestmark = pytest.mark.gui

MRRT = Path(__file__).parents[1] / "report" / "data" / "mrrt_ct_pulmonary_angiogram.html"


def _editor(qtbot) -> ReportEditor:  # type: ignore[no-untyped-def]
    from workstation.sources import open_library

    library = open_library(load_settings())
    items = list(demo.phantom_series(shape=(4, 32, 32), study_date=dt.date.today()))
    for data in items:
        library.add_bytes(data)
    headers = [pydicom.dcmread(io.BytesIO(d), stop_before_pixels=True) for d in items]
    editor = ReportEditor(load_settings)
    qtbot.addWidget(editor)
    editor.show()
    editor.open_study(StudySummary.from_dataset(headers[0], LIBRARY), headers, library=library)
    assert editor.report is not None
    return editor


def test_import_pick_and_fill(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    editor = _editor(qtbot)
    before = editor.template
    assert editor.import_template_button.isVisible()
    editor.choose_template_file = lambda: MRRT
    template = editor.import_template()
    assert template is not None and template.id == "mrrt_ct_pulmonary_angiogram_test"
    assert (user_template_folder() / "mrrt_ct_pulmonary_angiogram_test.json").is_file()
    assert "Imported 'CT Pulmonary Angiogram (test)' (16 fields)" in editor.result.text()
    assert editor.template is before  # the open report keeps its template until one is picked
    index = editor.template_combo.findData(template.id)
    assert index >= 0

    # picked by hand: the report takes the template's normal text and field defaults
    editor.template_combo.setCurrentIndex(index)
    editor.template_combo.activated.emit(index)
    assert editor.template is not None and editor.template.id == template.id
    report = editor.collect()
    assert report is not None and report.template_id == template.id
    assert report.section("impression") == "No pulmonary embolism."
    assert report.fields["study_quality"] == "Limited by motion" and report.fields["lungs_effusion"] is True
    shown = {f.spec.id: f for f in editor.sections["technique"].findChildren(FieldEditor)}
    assert sorted(shown) == ["contrast_volume", "date_of_injection", "study_quality"]
    assert shown["study_quality"].value() == "Limited by motion" and shown["contrast_volume"].value() == 60

    # the same file again: a second template with its own id, the first one is kept
    again = editor.import_template(MRRT)
    assert again is not None and again.id == "mrrt_ct_pulmonary_angiogram_test_2"
    # a file that is no template: one sentence in red, nothing written
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>Hello</p></body></html>")
    assert editor.import_template(page) is None
    assert "page.html is not an IHE MRRT report template" in editor.result.text()
    assert editor.result.styleSheet().startswith("color: #d04040")
