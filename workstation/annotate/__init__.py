"""Measurements, annotations and key images, saved as standard DICOM (SR TID 1500, KOS, GSPS).

The Qt-free core of the reading tools: measurement values in image pixel coordinates with their
calibration (:mod:`.measurements`, :mod:`.calibration`, :mod:`.roi_stats`, :mod:`.suv`), the
DICOM objects that carry them to the archive (:mod:`.sr_tid1500`, :mod:`.kos`,
:mod:`.gsps_writer`), reading them back (:mod:`.read_back`) and a local queue of objects waiting
for the archive (:mod:`.pending`).
"""
