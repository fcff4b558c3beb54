"""VTK pipelines behind a small interface, no widgets (see ARCHITECTURE.md, "Layers").

:class:`workstation.render.slice_renderer.SliceRenderer` draws one display set's current image
as the viewport state (``workstation.model.viewport``) says; ``offscreen`` and ``cli`` render it to
a PNG without a screen. Import the submodules directly: importing this package loads no VTK.
"""
