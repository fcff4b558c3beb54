"""Hanging protocols: protocols as data, matching as a pure function, priors found and ranked.

No Qt and no VTK here (the import contracts check it). See :mod:`.engine` for how a protocol is
chosen, :mod:`.loader` for the files, :mod:`.priors` for prior studies and :mod:`.prefetch` for
what to fetch of them.
"""
