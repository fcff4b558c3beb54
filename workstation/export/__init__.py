"""Export for people outside the practice: a study (or some of its series) to a folder, a ZIP
or removable media with a DICOMDIR (PS3.10), optionally de-identified (PS3.15 Annex E); its
images as PNG, JPEG or MP4; and sending to another DICOMweb destination through the pending
queue. Qt-free: the command line and the File > Export dialog both call :func:`run_export`."""
