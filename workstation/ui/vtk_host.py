"""What the VTK views of the reading room share: a QVTK window whose input goes to its owner, and
the background loading of one volume with a progress bar and a message line.

:class:`ForwardingVtkWidget` hosts a VTK render window in Qt and hands mouse, wheel and key
input to the owning widget's handlers (looked up by name: ``_mouse_press``, ``_mouse_release``,
``_mouse_move``, ``_double_click``, ``_wheel``, ``_key_press``, and ``_resized`` after a resize);
a handler the owner lacks leaves the event to ``QVTKRenderWindowInteractor``. VTK's interactor
styles are kept out, so nothing fights the owner's bindings. :class:`VolumeLoadingView` runs a
:data:`VolumeLoad` in a :class:`~workstation.ui.tasks.Task` and shows the volume (stored values
[k, j, i] placed by a :class:`~workstation.model.geometry.VolumeGeometry`, patient LPS of PS3.3
C.7.6.2.1.1) with its subclass's ``set_volume``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import vtkmodules.qt  # PyQtImpl is set to PySide6 below, before QVTK is imported
from pydicom.dataset import Dataset
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QProgressBar, QVBoxLayout, QWidget

vtkmodules.qt.PyQtImpl = "PySide6"
from vtkmodules.qt.QVTKRenderWindowInteractor import QVTKRenderWindowInteractor  # noqa: E402
from vtkmodules.vtkInteractionStyle import vtkInteractorStyleUser  # noqa: E402

from workstation.errors import WorkstationError  # noqa: E402
from workstation.model.geometry import VolumeGeometry  # noqa: E402
from workstation.model.source import CancelToken  # noqa: E402
from workstation.ui import tasks  # noqa: E402

#: What loads a volume in a worker thread: (volume [k, j, i], geometry, a header, a note).
VolumeLoad = Callable[[Callable[[int, int, str], None], CancelToken], tuple[np.ndarray, VolumeGeometry, Dataset, str]]


class ForwardingVtkWidget(QVTKRenderWindowInteractor):
    """The VTK render window in Qt, with input handed to the owning widget instead of VTK.

    Key releases, enter and leave are accepted here and never reach VTK.
    """

    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner)
        self._owner = owner

    def _handler(self, name: str) -> Callable[..., Any] | None:
        # Events come during construction too, before _owner is set; QVTK's __getattr__ would
        # look a missing attribute up on the VTK interactor, so read the instance dict.
        owner = self.__dict__.get("_owner")
        return getattr(owner, name, None) if owner is not None else None

    def _forward(self, name: str, ev: Any, fallback: Callable[[Any], Any]) -> None:
        handler = self._handler(name)
        if handler is not None:
            handler(ev)
        else:
            fallback(ev)

    def mousePressEvent(self, ev: QMouseEvent) -> None:  # noqa: N802
        self._forward("_mouse_press", ev, super().mousePressEvent)

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:  # noqa: N802
        self._forward("_mouse_release", ev, super().mouseReleaseEvent)

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:  # noqa: N802
        self._forward("_mouse_move", ev, super().mouseMoveEvent)

    def mouseDoubleClickEvent(self, ev: QMouseEvent) -> None:  # noqa: N802
        self._forward("_double_click", ev, super().mouseDoubleClickEvent)

    def wheelEvent(self, ev: QWheelEvent) -> None:  # noqa: N802
        self._forward("_wheel", ev, super().wheelEvent)

    def keyPressEvent(self, ev: QKeyEvent) -> None:  # noqa: N802
        self._forward("_key_press", ev, super().keyPressEvent)

    def keyReleaseEvent(self, ev: QKeyEvent) -> None:  # noqa: N802
        ev.accept()

    def enterEvent(self, ev: Any) -> None:  # noqa: N802
        ev.accept()

    def leaveEvent(self, ev: Any) -> None:  # noqa: N802
        ev.accept()

    def resizeEvent(self, ev: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(ev)
        handler = self._handler("_resized")
        if handler is not None:
            handler()


class VolumeLoadingView(QWidget):
    """A view of one volume in a QVTK window, loaded in the background with progress.

    Subclasses build their tool row (with ``progress`` in it) and call :meth:`_host_view`, which
    makes ``view`` (the :class:`ForwardingVtkWidget`) and lays the widget out; they implement
    :meth:`set_volume`, :meth:`render_now`, :meth:`release` and :meth:`handle_key`. Drawing is
    asked for with :meth:`_request_render` (once, when control returns to the event loop). A
    failed load (or a :class:`~workstation.errors.WorkstationError` from ``set_volume``) hides
    the progress bar, shows the sentence and emits ``failed(str)``.
    """

    view: ForwardingVtkWidget

    loaded = Signal()
    failed = Signal(str)
    # What each view (MPR, 3D) defines as methods:
    #: Shows a loaded volume.
    set_volume: Callable[..., None]
    #: Draws the view now.
    render_now: Callable[[], None]
    #: Frees the volume and the pipeline (a closed tab); cancels a running load.
    release: Callable[[], None]
    #: A key of the view (key, modifiers); True when it was one.
    handle_key: Callable[[int, Any], bool]
    #: Enables or disables the tool row's controls.
    _set_controls_enabled: Callable[[bool], None]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._task: tasks.Task | None = None
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(240)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self._initialised = False
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(0)
        self._render_timer.timeout.connect(self.render_now)

    def _host_view(self, tools: QLayout, above: Sequence[QWidget] = (), beside: QWidget | None = None) -> None:
        """Make ``view`` (input to this widget, no VTK interactor style) and lay out: the
        ``tools`` row, the ``above`` widgets, then the view (with ``beside`` on its right)
        taking the rest; the view gets the keyboard focus."""
        self.view = ForwardingVtkWidget(self)
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.view.GetRenderWindow().GetInteractor().SetInteractorStyle(vtkInteractorStyleUser())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(tools)
        for widget in above:
            layout.addWidget(widget)
        if beside is None:
            layout.addWidget(self.view, 1)
        else:
            body = QHBoxLayout()
            body.addWidget(self.view, 1)
            body.addWidget(beside)
            layout.addLayout(body, 1)
        self.setFocusProxy(self.view)

    def _volume_shown(self, note: str) -> None:
        """What ends :meth:`set_volume`: the progress bar hidden, ``note`` (such as a word on
        resampling) in the message line, the controls on, a frame asked for, ``loaded``."""
        self.progress.setVisible(False)
        self.message.setText(note)
        self.message.setVisible(bool(note))
        self._set_controls_enabled(True)
        self._request_render()
        self.loaded.emit()

    # -- drawing and input --------------------------------------------------------------------------
    def _ensure_initialised(self) -> None:
        if not self._initialised:
            self.view.Initialize()
            self._initialised = True

    def _request_render(self) -> None:
        if not self._render_timer.isActive():
            self._render_timer.start()

    def showEvent(self, ev: Any) -> None:  # noqa: N802
        super().showEvent(ev)
        self._ensure_initialised()
        self._request_render()

    def _key_press(self, ev: QKeyEvent) -> None:
        if not self.handle_key(ev.key(), ev.modifiers()):
            ev.ignore()

    def keyPressEvent(self, ev: QKeyEvent) -> None:  # noqa: N802
        if not self.handle_key(ev.key(), ev.modifiers()):
            super().keyPressEvent(ev)

    def closeEvent(self, ev: Any) -> None:  # noqa: N802
        self._render_timer.stop()
        self.release()
        self.view.Finalize()
        super().closeEvent(ev)

    def load(self, fn: VolumeLoad) -> tasks.Task:
        """Load the volume in the background (``fn(progress, cancel)``), then show it."""
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.message.setText(self.tr("Loading the volume..."))
        task = tasks.Task(fn)
        task.signals.progress.connect(self._progress)
        task.signals.finished.connect(self._loaded)
        task.signals.failed.connect(self._failed)
        self._task = task
        return tasks.start(task)

    @property
    def loading(self) -> bool:
        return self._task is not None

    def _cancel_load(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def _progress(self, done: int, total: int, message: str) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        if message:
            self.message.setText(message)

    def _loaded(self, result: tuple[np.ndarray, VolumeGeometry, Dataset, str]) -> None:
        self._task = None
        volume, geometry, header, note = result
        try:
            self.set_volume(volume, geometry, header, note=note)
        except WorkstationError as exc:
            self._failed(str(exc))

    def _failed(self, message: str) -> None:
        self._task = None
        self.progress.setVisible(False)
        self.message.setText(message)
        self.failed.emit(message)
