"""The local study library: instances as PS3.10 files plus a SQLite index (``library``), and
importing from files, folders, DICOMDIRs (PS3.10 8.6) and ZIP archives (``importer``)."""
