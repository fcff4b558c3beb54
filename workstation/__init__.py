"""The workstation: a diagnostic viewer and reporting workstation for radiology.

The core (``model``, ``net``, ``store``) runs without Qt and VTK; ``ui`` and ``render`` sit on top.
"""

__version__ = "0.1.0"
