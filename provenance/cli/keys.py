"""`provenance keys`: workstations' signing identities under the studio CA."""

from __future__ import annotations

from pathlib import Path

import click

from ..signers import issue_signer, list_signers, revoke_signer
from .app import AppContext, echo_json, echo_table, json_option, pass_app


@click.group("keys")
def keys_group() -> None:
    """Signing identities: one per workstation, issued under the studio CA, revocable."""


@keys_group.command("issue")
@click.argument("name")
@click.option(
    "--ca-key",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The studio CA's private key (default: the project's keys folder, where a single-machine init puts it).",
)
@click.option(
    "-o", "--output", type=click.Path(file_okay=False, path_type=Path), help="New folder for it (default: ./NAME)."
)
@pass_app
def keys_issue(app: AppContext, name: str, ca_key: Path | None, output: Path | None) -> None:
    """Make workstation NAME's signing identity under the studio CA and record it.

    Run it where the studio keeps the CA key. Copy the folder it writes to the workstation, which then
    signs with `--identity FOLDER` (or PROVENANCE_IDENTITY=FOLDER); its files audit as trusted wherever the
    studio CA is an anchor, and the audit names NAME as their signer.

    \b
    Example:
      provenance keys issue bg-01 --ca-key ~/studio-ca/studio-ca.key -o bg-01
    """
    issued = issue_signer(app.project, name, ca_key=ca_key, output=output)
    click.echo(f"Issued {issued.name} (serial {issued.facts.serial[:12]}…, until {issued.facts.not_after.date()})")
    click.echo(f"Private key (0600, for {issued.name} only): {issued.key_file}")
    click.echo(f"On {issued.name}: provenance --identity {issued.folder} ...  (or PROVENANCE_IDENTITY={issued.folder})")


@keys_group.command("revoke")
@click.argument("name")
@click.option("--reason", help="Why, kept with the revocation and shown in audits (e.g. 'laptop stolen').")
@pass_app
def keys_revoke(app: AppContext, name: str, reason: str | None) -> None:
    """Revoke identity NAME: files it signed no longer audit as trusted, and it can sign no more.

    Without a timestamp authority nothing proves when a file was signed, so every file NAME ever signed
    becomes untrusted, those made before the revocation too.

    \b
    Example:
      provenance keys revoke bg-01 --reason "laptop stolen"
    """
    revoked = revoke_signer(app.project, name, reason=reason)
    click.echo(f"Revoked {revoked.name} at {revoked.revoked_at:%Y-%m-%d %H:%M} UTC")


@keys_group.command("list")
@json_option
@pass_app
def keys_list(app: AppContext, as_json: bool) -> None:
    """List every signing identity and its state (active, revoked, expired); * marks this machine's."""
    signers = list_signers(app.project)
    if as_json:
        echo_json(
            [
                {
                    "name": s.name,
                    "state": s.state,
                    "subject": s.subject,
                    "serial": s.serial,
                    "fingerprint": s.fingerprint,
                    "issued_at": s.issued_at.isoformat(),
                    "not_after": s.not_after.isoformat(),
                    "revoked_at": s.revoked_at.isoformat() if s.revoked_at else None,
                    "revocation_reason": s.revocation_reason,
                    "this_machine": s.this_machine,
                }
                for s in signers
            ]
        )
        return
    echo_table(
        ["", "name", "state", "issued", "valid until", "revoked", "serial"],
        [
            [
                "*" if s.this_machine else "",
                s.name,
                s.state,
                s.issued_at.date(),
                s.not_after.date(),
                f"{s.revoked_at:%Y-%m-%d}" + (f" ({s.revocation_reason})" if s.revocation_reason else "")
                if s.revoked_at
                else "",
                s.serial[:12] + "…",
            ]
            for s in signers
        ],
    )
