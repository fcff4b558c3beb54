"""Technologist quality control of acquisitions (Qt-free)."""
