"""The Series Number (PS3.3 C.7.3.1) of each kind of series the workstation creates, in one place.

Archives and viewers list a study's series by Series Number; the workstation's own series sort
after the acquisitions (98xx, 99xx) and each kind has its own number, so that the measurement
report and the radiology report, or the key images and the report PDF, are never two series of
one number. Every writer takes its number from here; a test checks they differ.
"""

from __future__ import annotations

MEASUREMENTS = 9801  # TID 1500 measurement reports (annotate.sr_tid1500, annotate.plane_sr)
KEY_IMAGES = 9802  # Key Object Selection "Of Interest" (annotate.kos)
PRESENTATION_STATES = 9803  # Grayscale Softcopy Presentation States (annotate.gsps_writer)
REPORT_SR = 9804  # TID 2000 radiology report SR (report.dicom_objects)
REPORT_PDF = 9805  # Encapsulated PDF of the signed report (report.dicom_objects)
REJECTION_NOTES = 9901  # IHE IOCM rejection notes (qc.rejection, qc.correction)

ALL = {
    "measurements": MEASUREMENTS, "key images": KEY_IMAGES, "presentation states": PRESENTATION_STATES,
    "report SR": REPORT_SR, "report PDF": REPORT_PDF, "rejection notes": REJECTION_NOTES,
}
