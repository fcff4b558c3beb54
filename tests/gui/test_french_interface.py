"""The workstation in French (issue 17): the main window, the MPR tab and the report editor
with the French catalogue installed, saved as screenshots (look at them:
/tmp/workstation-gui-shots/fr-*.png) and checked on their widgets' text. Dates and numbers
follow the French locale (Qt's CLDR data, compared with workstation.i18n's own table)."""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QAbstractButton, QComboBox, QGroupBox, QLabel  # noqa: E402

import workstation.qc.visibility  # noqa: E402, F401 - imported on this thread, not a worker's (see report_editor)
from tests.gui.helpers import dispose, shot  # noqa: E402
from tests.gui.test_report_editor import _open_with_report, _window  # noqa: E402
from tests.gui.test_report_editor_measurements import _measure_and_mark  # noqa: E402
from workstation import i18n  # noqa: E402
from workstation.ui.i18n import format_date, format_number, install_translations  # noqa: E402
from workstation.ui.mpr_view import MprView  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def french(qapp):  # type: ignore[no-untyped-def]
    assert install_translations("fr") == "fr"
    yield
    install_translations("en")


def _texts(widget) -> set[str]:  # type: ignore[no-untyped-def]
    """Every label, button and combo box item text under ``widget``, accelerators removed."""
    found = {w.text().replace("&", "") for w in widget.findChildren(QLabel)}
    found |= {w.text().replace("&", "") for w in widget.findChildren(QAbstractButton)}
    for combo in widget.findChildren(QComboBox):
        found |= {combo.itemText(i) for i in range(combo.count())}
    return found


def _shot_with_mpr(window, mpr: MprView, name: str) -> None:  # type: ignore[no-untyped-def]
    """:func:`shot` of the window with the MPR's own render window painted in (``grab`` cannot
    see a native OpenGL window)."""
    import numpy as np
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QImage, QPainter, QPixmap

    path = shot(window, name)
    rgb = np.ascontiguousarray(mpr.capture()[:, :, :3])
    image = QImage(rgb.data, rgb.shape[1], rgb.shape[0], rgb.strides[0], QImage.Format.Format_RGB888)
    pixmap = QPixmap(str(path))
    painter = QPainter(pixmap)
    painter.drawImage(mpr.view.mapTo(window, QPoint(0, 0)), image.scaled(mpr.view.width(), mpr.view.height()))
    painter.end()
    pixmap.save(str(path))


def test_main_window_mpr_and_report_editor_in_french(qtbot, french) -> None:  # type: ignore[no-untyped-def]
    window, study_uid = _window(qtbot)
    try:
        qtbot.wait(50)
        # The main window: menus, worklist tab, columns, search button.
        menus = [a.text() for a in window.menuBar().actions()]
        assert menus[:3] == ["&Fichier", "&Affichage", "&Aide"] or "&Fichier" in menus, menus
        assert window.tabs.tabText(0) == "Liste de travail"
        model = window.worklist.model
        headers = [model.horizontalHeaderItem(c).text() for c in range(model.columnCount())]
        assert "Date de l'examen" in headers and "Date de naissance" in headers, headers
        assert "Rechercher" in _texts(window.worklist)
        assert window.worklist.status.text() == "1 examen trouvé."
        window.show_error("No archive is configured.")  # a core sentence, translated where shown
        assert window.notice.text() == "Aucune archive n'est configurée."
        window.show_error("Could not open /tmp/x.dcm.")  # not in the catalogue: shown as it is
        assert window.notice.text() == "Could not open /tmp/x.dcm."
        window.show_error("")
        shot(window, "fr-01-main-window")

        # The report editor of the opened study.
        editor = _open_with_report(qtbot, window, study_uid)
        qtbot.wait(100)
        texts = _texts(editor)
        for label in ("Signer...", "Rendre provisoire", "Insérer l'examen normal", "Modèle", "Signer avec"):
            assert label in texts, (label, sorted(texts))
        assert "Fichier de clé (PKCS#12)" in texts
        # The French template, chosen and explained in French, under French headings.
        assert editor.template is not None and editor.template.id == "ct_head_fr"
        assert editor.choice_reason.startswith("« TDM cérébrale » choisi d'après la modalité CT"), editor.choice_reason
        titles = {box.title() for box in editor.findChildren(QGroupBox)}
        assert {"Indication", "Technique", "Résultats", "Conclusion"} <= titles, titles
        haemorrhage = editor.sections["findings"].fields["haemorrhage"]
        assert [haemorrhage.widget.itemText(i) for i in range(3)] == ["", "oui", "non"]
        haemorrhage.widget.setCurrentIndex(2)
        assert haemorrhage.value() is False  # "non" is the answer no, not text
        # A length measured on the image goes into the French report in French, decimal comma
        # and all (the value computed independently from the picked pixels and Pixel Spacing).
        expected_mm, _uid = _measure_and_mark(qtbot, window)
        qtbot.mouseClick(editor.insert_viewer_button, Qt.MouseButton.LeftButton)
        assert editor.report is not None and len(editor.report.measurements) == 1
        line = editor.report.measurements[0]
        assert line.startswith("Longueur : "), line
        value = float(line.split(" : ", 1)[1].split(" mm")[0].replace(",", "."))
        assert "," in line.split(" mm")[0] and abs(value - expected_mm) < 0.06, (line, expected_mm)
        panel_rows = [window.measurements.panel.list.item(i).text() for i in range(window.measurements.panel.list.count())]
        assert any(r.startswith("Longueur: ") and "," in r for r in panel_rows), panel_rows
        shot(window, "fr-02-report-editor")

        # The MPR tab of the study's volume.
        window.toggle_reformat("mpr")
        mpr = window.tabs.currentWidget()
        assert isinstance(mpr, MprView)
        qtbot.waitUntil(lambda: mpr.viewer is not None, timeout=30000)
        qtbot.wait(100)
        texts = _texts(mpr)
        for label in ("Coupe épaisse", "Fenêtre", "Curviligne", "Pas de mesure", "Légende", "Moyenne"):
            assert label in texts, (label, sorted(texts))
        assert mpr.curved_button.toolTip().startswith("MPR curviligne")
        _shot_with_mpr(window, mpr, "fr-03-mpr")
    finally:
        dispose(qtbot, window)


def test_french_locale_writes_commas_and_french_months(french) -> None:  # type: ignore[no-untyped-def]
    assert format_number(12.5, 1) == "12,5"
    # Qt's own catalogue too: the standard buttons of dialogs (QDialogButtonBox) say "Annuler".
    from PySide6.QtCore import QCoreApplication

    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Annuler"
    assert format_date(dt.date(2025, 1, 12)) == "12 janv. 2025"
    # workstation.i18n (Qt-free, for the PDF report) writes what Qt's CLDR data writes, month by month.
    for month in range(1, 13):
        day = dt.date(2025, month, 3)
        assert i18n.format_date(day, "fr") == format_date(day), month
    assert i18n.format_decimal(-0.04, "fr", 1) == format_number(-0.04, 1).replace("-", "")
    install_translations("en")
    assert format_date(dt.date(2025, 1, 12)) == "2025-01-12"  # English keeps ISO 8601, as before
    assert format_number(12.5, 1) == "12.5"


def test_language_chosen_in_the_settings(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Settings > Appearance > Language: saved in the settings, wins over the system's language at the
    next start (install_translations with no argument), and "System language" goes back."""
    from PySide6.QtCore import QLocale

    from workstation.settings import load_settings
    from workstation.ui import i18n as ui_i18n
    from workstation.ui.settings_dialog import SettingsDialog

    monkeypatch.setattr(QLocale, "system", staticmethod(lambda: QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)))
    assert ui_i18n.current_language() == "en"
    dialog = SettingsDialog(load_settings())
    qtbot.addWidget(dialog)
    assert dialog.language.currentData() == ""
    dialog.language.setCurrentIndex(dialog.language.findData("fr"))
    dialog.accept()
    try:
        assert ui_i18n.chosen_language() == "fr"
        assert ui_i18n.install_translations() == "fr"
        assert ui_i18n.active_language() == "fr"
        assert QLocale().toString(2.5, "f", 1) == "2,5"
        again = SettingsDialog(load_settings())
        qtbot.addWidget(again)
        assert again.language.currentData() == "fr" and again.tabs.tabText(3) == "Apparence"
        again.language.setCurrentIndex(again.language.findData(""))
        again.accept()
        assert ui_i18n.chosen_language() == "" and ui_i18n.current_language() == "en"
    finally:
        ui_i18n.install_translations("en")
