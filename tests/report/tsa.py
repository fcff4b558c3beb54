"""A test PKI with a real RFC 3161 time-stamping authority, OCSP responder and CRL, served on
loopback HTTP by certomancer's animator (pyHanko's companion test-PKI tool, aiohttp flavour).

:func:`start_test_pki` generates fresh keys (cryptography), writes a certomancer configuration
whose service URLs point to ``http://127.0.0.1:<free port>``, and serves it from a thread:

* ``root``: the practice's CA (what Settings > Signing trusts);
* ``signer``: the radiologist's certificate (surname and given name in the subject, CRL
  distribution point and OCSP responder in its extensions; valid until 2030), packaged as a
  PKCS#12 file;
* ``tsa``: the time-stamping authority's certificate (extended key usage timeStamping, valid
  until 2045),
  answering ``POST <url>/testing-ca/tsa/tsa`` (RFC 3161 over HTTP).

:meth:`TestPKI.stop` takes every service down (a TSA that is down).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

ARCH = "testing-ca"

CONFIG = """
external-url-prefix: "{prefix}"
keysets:
  testing-ca:
    path-prefix: "{keys}"
    keys:
      root: {{path: root.key.pem}}
      signer: {{path: signer.key.pem}}
      tsa: {{path: tsa.key.pem}}
pki-architectures:
  testing-ca:
    keyset: testing-ca
    entity-defaults:
      country-name: FR
      organization-name: Cabinet de Radiologie Test
    entities:
      root: {{common-name: Test Practice Root CA}}
      signer:
        common-name: Dr Hélène Lefèvre
        surname: Lefèvre
        given-name: Hélène
      tsa: {{common-name: Test Time Stamping Authority}}
    certs:
      root:
        subject: root
        issuer: root
        validity: {{valid-from: "2020-01-01T00:00:00+0000", valid-to: "2050-01-01T00:00:00+0000"}}
        extensions:
          - id: basic_constraints
            critical: true
            value: {{ca: true}}
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature, key_cert_sign, crl_sign]}}
      signer:
        subject: signer
        issuer: root
        validity: {{valid-from: "2020-01-01T00:00:00+0000", valid-to: "2030-01-01T00:00:00+0000"}}
        extensions:
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature, non_repudiation]}}
          - id: crl_distribution_points
            smart-value: {{schema: crl-dist-url, params: {{crl-repo-names: [root]}}}}
          - id: authority_information_access
            smart-value: {{schema: aia-urls, params: {{ocsp-responder-names: [root]}}}}
      tsa:
        subject: tsa
        issuer: root
        validity: {{valid-from: "2020-01-01T00:00:00+0000", valid-to: "2045-01-01T00:00:00+0000"}}
        extensions:
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature]}}
          - id: extended_key_usage
            critical: true
            value: [time_stamping]
          - id: crl_distribution_points
            smart-value: {{schema: crl-dist-url, params: {{crl-repo-names: [root]}}}}
    services:
      ocsp:
        root: {{for-issuer: root, responder-cert: root, signing-key: root}}
      crl-repo:
        root: {{for-issuer: root, signing-key: root, simulated-update-schedule: "P30D"}}
      time-stamping:
        tsa: {{signing-key: tsa, signing-cert: tsa}}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _write_key(path: Path, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))


@dataclass
class TestPKI:
    """A running test PKI: the files a user would configure, and the TSA's URL."""

    __test__ = False  # not a pytest test class

    folder: Path
    url: str
    root_pem: Path
    p12_path: Path
    password: str
    _loop: asyncio.AbstractEventLoop = field(repr=False)
    _runner: object = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    @property
    def tsa_url(self) -> str:
        return f"{self.url}/{ARCH}/tsa/tsa"

    def stop(self) -> None:
        """Take the TSA, OCSP responder and CRL server down (connection refused afterwards)."""
        if not self._thread.is_alive():
            return

        async def _cleanup() -> None:
            await self._runner.cleanup()  # type: ignore[attr-defined]

        asyncio.run_coroutine_threadsafe(_cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def start_test_pki(folder: Path, password: str = "mot de passe é") -> TestPKI:
    """Generate the keys and configuration in ``folder`` and serve the PKI on loopback."""
    from aiohttp import web
    from certomancer.integrations.aiohttp_animator import build_animator_app
    from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig

    folder.mkdir(parents=True, exist_ok=True)
    keys = folder / "keys"
    keys.mkdir(exist_ok=True)
    _write_key(keys / "root.key.pem", ec.generate_private_key(ec.SECP256R1()))
    _write_key(keys / "signer.key.pem", rsa.generate_private_key(65537, 2048))
    _write_key(keys / "tsa.key.pem", rsa.generate_private_key(65537, 2048))
    port = _free_port()
    prefix = f"http://127.0.0.1:{port}"
    config_path = folder / "certomancer.yml"
    config_path.write_text(CONFIG.format(prefix=prefix, keys=keys), encoding="utf-8")
    config = CertomancerConfig.from_file(str(config_path))
    arch = config.get_pki_arch(ArchLabel(ARCH))
    root_pem = folder / "root.pem"
    root_pem.write_bytes(arch.get_cert(CertLabel("root")).dump())
    p12 = folder / "signer.p12"
    p12.write_bytes(arch.package_pkcs12(CertLabel("signer"), password=password.encode()))
    app = build_animator_app(config.pki_archs, with_web_ui=False)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        ready.set()
        loop.run_forever()
        loop.close()

    thread = threading.Thread(target=serve, name="test-pki", daemon=True)
    thread.start()
    if not ready.wait(20):
        raise RuntimeError("the test PKI's HTTP server did not start")
    return TestPKI(folder, prefix, root_pem, p12, password, loop, runner, thread)
