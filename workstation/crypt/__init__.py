"""Patient data encrypted at rest: the per-installation key and the file format.

``stream`` is the on-disk format (AES-256-GCM in authenticated chunks), ``keys`` keeps the key in
the operating system's keyring, ``files`` reads and writes whole files through them, and
``migrate`` encrypts a clear data folder in place.
"""
