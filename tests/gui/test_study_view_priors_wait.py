"""The current study always comes first (issue 5): when a hanging protocol shows a prior beside
the current study, the prior's viewport loads request nothing from the archive until every
viewport of the current study shows its image.

A real Orthanc serves both studies. The archive client's instance requests are recorded (which
study, which thread, what the current viewports showed at that moment). The prior search itself
starts once the current study shows its first images; here the reader has jumped to a slice
that is held back when the prior is laid out, so a prior load that started at once would be seen
requesting while the current viewport waits for its image.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("pytestqt")

from tests.gui.helpers import dispose  # noqa: E402
from tests.gui.test_hanging import PRIOR_DATE, THICK, TODAY, _uid, head_study  # noqa: E402
from workstation.net.auth import store_secret  # noqa: E402
from workstation.settings import ArchiveProfile, Settings, load_settings, save_settings  # noqa: E402
from workstation.ui.app import create_main_window  # noqa: E402
from workstation.ui.main_window import MainWindow  # noqa: E402

pytestmark = pytest.mark.gui

ARCHIVE_NAME = "Test archive"


@pytest.fixture
def two_studies(qtbot, orthanc) -> Iterator[tuple[MainWindow, str, str]]:  # type: ignore[no-untyped-def]
    current, prior = head_study(TODAY), head_study(PRIOR_DATE)
    for data in current + prior:
        orthanc.upload(data)
    profile = ArchiveProfile(name=ARCHIVE_NAME, url=orthanc.dicomweb_url, auth="basic", username=orthanc.user)
    store_secret(profile, orthanc.password)
    save_settings(Settings(archives=[profile], default_archive=profile.name))
    window = create_main_window(load_settings())
    window.set_hanging_on_open(True)
    # The bridge's background prefetch of priors into the library (its bandwidth share is tested
    # in test_hanging) is left out here, so that the prior's images reach its viewports through
    # their own loads, whose requests are watched.
    window.hanging.prefetch = lambda _view, _plan: None
    window.show()
    qtbot.waitExposed(window)
    yield window, _uid(current), _uid(prior)
    dispose(qtbot, window)


def test_prior_loads_wait_for_the_current_first_images(qtbot, two_studies) -> None:  # type: ignore[no-untyped-def]
    window, current_uid, prior_uid = two_studies
    client = window.archive(ARCHIVE_NAME)  # the one client every load of the window uses
    original_instances, original_metadata = client.iter_instances, client.series_metadata
    requests: list[dict[str, Any]] = []
    lock = threading.Lock()
    first_of_series: set[str] = set()
    current_go = threading.Event()  # the current study's instances after each series' first wait for this
    prior_go = threading.Event()  # the prior's metadata (the prior search) waits for this
    views: list[Any] = []
    prior_asked: list[bool] = []  # per prior metadata request: had the current study shown its first images?

    def current_shown() -> list[bool]:
        """Whether each viewport of the current study shows its image (read from a loader thread:
        only membership tests on the UI thread's sets)."""
        if not views:
            return []
        return [b.state.image_index in b.arrived for b in views[0].bindings
                if b.display_set is not None and b.display_set.study_uid == current_uid]

    def instances(study_uid: str, series_uid: str, sop_uids: Any = None, cancel: Any = None) -> Iterator[bytes]:
        thread = threading.current_thread().name
        requests.append({"study": study_uid, "thread": thread, "current_shown": current_shown()})
        if study_uid == prior_uid and thread.startswith("series-fetch"):
            current_go.set()  # a prior viewport load asked: no reason to hold the current one longer
        if study_uid == current_uid:
            with lock:
                first = series_uid not in first_of_series
                first_of_series.add(series_uid)
            if not first:  # the shown image (sent alone first) comes; the rest waits
                current_go.wait(30)
        yield from original_instances(study_uid, series_uid, sop_uids, cancel)

    def metadata(study_uid: str, series_uid: str) -> Any:
        if study_uid == prior_uid:
            prior_asked.append(bool(views) and views[0].first_images_were_shown)
            prior_go.wait(30)
        return original_metadata(study_uid, series_uid)

    client.iter_instances = instances
    client.series_metadata = metadata
    window.worklist.run_search()
    qtbot.waitUntil(lambda: window.worklist.model.rowCount() == 2, timeout=20000)
    window.open_study(next(s for s in window.worklist._studies if s.study_uid == current_uid))
    qtbot.waitUntil(lambda: window.current_study() is not None, timeout=20000)
    view = window.current_study()
    views.append(view)

    # The current study's two viewports show their first images; the reader jumps to the first
    # slice of the brain series, which has not arrived (held back).
    qtbot.waitUntil(lambda: current_shown() == [True, True], timeout=30000)
    brain = view.binding(0)
    assert brain.display_set.study_uid == current_uid and brain.state.image_index != 0
    brain.state.image_index = 0
    assert 0 not in brain.arrived and view.current_first_images_pending()

    # The prior search ends now: the hanging protocol shows the prior beside the current study
    # while the current viewport still waits for its image, so the prior's loads wait, none started.
    prior_go.set()

    def prior_laid_out() -> bool:
        studies = [b.display_set.study_uid if b.display_set is not None else None for b in view.bindings]
        return studies == [current_uid, current_uid, prior_uid, prior_uid]

    qtbot.waitUntil(prior_laid_out, timeout=30000)
    qtbot.wait(300)  # time for a prior load that did start to send its requests
    assert not current_go.is_set(), "a prior viewport requested instances while the current one waited for its image"
    held = view.held_loads
    assert {s.display_set.study_uid for s in held} == {prior_uid} and len(held) == 2
    assert not any(s.started for s in held)

    # The current study's instances come: its viewport shows the image, then the priors load.
    current_go.set()
    prior_brain = view.binding(2)
    qtbot.waitUntil(lambda: prior_brain.viewport.loaded == THICK[0], timeout=30000)
    assert view.held_loads == []
    assert 0 in brain.arrived
    prior_requests = [r for r in requests if r["study"] == prior_uid and r["thread"].startswith("series-fetch")]
    assert prior_requests, f"the prior's viewports never requested their instances: {[(r['study'][-6:], r['thread']) for r in requests]}"
    # The prior search read the prior's headers only once the current study showed its images.
    assert prior_asked and all(prior_asked)
    # Every request of a prior viewport came once both current viewports showed their image.
    assert all(r["current_shown"] == [True, True] for r in prior_requests)
