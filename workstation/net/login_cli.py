"""``workstation login`` and ``workstation logout``: single sign-on (see :mod:`workstation.net.oidc`).

``login`` signs in through the settings' sign-in profile in the system browser (authorization
code flow with PKCE and a loopback redirect, RFC 8252) or, with ``--device``, with a code typed
on another device (RFC 8628). ``--issuer URL --client-id ID`` first saves the profile
(``--name``, default ``sso``). ``logout`` revokes the tokens at the provider (RFC 7009) and
forgets them. Both are recorded in the access audit log (PS3.15 A.5.3.12 User Authentication).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import Any

import keyring
import keyring.errors

from workstation.audit import AuditAction, audit_log_for
from workstation.audit.events import OUTCOME_MINOR_FAILURE, OUTCOME_SERIOUS_FAILURE
from workstation.errors import SettingsError, WorkstationError
from workstation.identity import current_identity, forget_identity
from workstation.net.auth import KEYRING_SERVICE
from workstation.net.oidc import session_for
from workstation.settings import OidcProfile, Settings, save_settings


def add_login_parser(subparsers: Any) -> None:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "login", help="sign in through your organisation's identity provider (OpenID Connect)")
    p.add_argument("--profile", help="sign-in profile name (default: the first)")
    p.add_argument("--device", action="store_true",
                   help="sign in with a code on another device (no browser on this machine)")
    p.add_argument("--no-browser", action="store_true",
                   help="print the sign-in address instead of opening the browser")
    p.add_argument("--issuer", help="save a sign-in profile: the provider's issuer URL")
    p.add_argument("--client-id", help="save a sign-in profile: the workstation's client ID there")
    p.add_argument("--scopes", default="openid profile offline_access", help="scopes to ask for")
    p.add_argument("--name", default="sso", help="name of the sign-in profile saved")
    p.set_defaults(func=cmd_login)


def add_logout_parser(subparsers: Any) -> None:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "logout", help="sign out: revoke the sign-in at the provider and forget it here")
    p.set_defaults(func=cmd_logout)


def _profile(args: argparse.Namespace, settings: Settings) -> OidcProfile:
    if args.issuer or args.client_id:
        if not (args.issuer and args.client_id):
            raise SettingsError("Saving a sign-in profile needs both --issuer and --client-id.")
        profile = OidcProfile(name=args.name, issuer=args.issuer, client_id=args.client_id,
                              scopes=args.scopes)
        settings.sign_in = [p for p in settings.sign_in if p.name != profile.name] + [profile]
        save_settings(settings)
        return profile
    found = settings.sign_in_profile(args.profile)
    if found is None:
        raise SettingsError("No sign-in profile is configured: give the provider with "
                            "'workstation login --issuer URL --client-id ID'.")
    return found


def cmd_login(args: argparse.Namespace, settings: Settings) -> int:
    profile = _profile(args, settings)
    session = session_for(profile)
    log = audit_log_for(settings)
    try:
        if args.device:
            prompt, wait = session.start_device_login()
            where = prompt.verification_uri_complete or prompt.verification_uri
            print(f"On a device with a browser, open {where} and enter the code {prompt.user_code}.",
                  file=sys.stderr)
            identity = wait()
        else:
            def show(url: str) -> None:
                print(f"Sign in at: {url}", file=sys.stderr)
                if not args.no_browser:
                    import webbrowser

                    webbrowser.open(url)

            identity = session.login_browser(show)
    except WorkstationError as exc:
        log.record(AuditAction.SIGNED_IN, outcome=OUTCOME_SERIOUS_FAILURE, outcome_text=str(exc),
                   detail={"provider": profile.issuer})
        raise
    log.record(AuditAction.SIGNED_IN, identity=identity,
               detail={"provider": profile.issuer, "flow": "device" if args.device else "browser"})
    print(f"Signed in as {identity.display()} ({identity.subject} at {identity.issuer}).")
    return 0


def cmd_logout(args: argparse.Namespace, settings: Settings) -> int:
    who = current_identity()
    if who is None:
        print("Nobody is signed in.")
        return 0
    profile = next((p for p in settings.sign_in if p.name == who.profile), None) or settings.sign_in_profile()
    if profile is not None:
        revoked = session_for(profile).logout()
    else:  # the profile left the settings: nothing to revoke with; forget everything here
        revoked = False
        forget_identity()
        with contextlib.suppress(keyring.errors.KeyringError):
            keyring.delete_password(KEYRING_SERVICE, f"oidc:{who.profile}")
    audit_log_for(settings).record(
        AuditAction.SIGNED_OUT, identity=who,
        outcome="0" if revoked else OUTCOME_MINOR_FAILURE,
        outcome_text="" if revoked else "the provider could not confirm the revocation")
    if revoked:
        print(f"Signed out: {who.display()}'s sign-in was revoked at the provider and forgotten here.")
        return 0
    print(f"Signed out here, but the provider could not be told to revoke {who.display()}'s "
          "sign-in: it ends when it expires.", file=sys.stderr)
    return 1
