"""`matchmaker verify`: check signed agreements and the signing ledger for tampering."""

from __future__ import annotations

from typing import Annotated

import typer

from matchmaker.cli_common import fail, session


def verify_command(
    code: Annotated[
        str | None, typer.Argument(help="Verification code of one agreement, e.g. K7QM-3XPA")
    ] = None,
    ledger: Annotated[
        bool, typer.Option("--ledger", help="Walk the whole hash chain of the signing ledger")
    ] = False,
) -> None:
    """Verify one agreement (CODE), the ledger (--ledger), or, with neither, everything signed.

    Exits with 1 and names each problem (agreement, field, ledger entry) on tampering.
    """
    from matchmaker.agreements import service, verify

    with session() as db:
        reports = []
        if code is not None:
            agreement = service.by_code(db, code)
            if agreement is None:
                raise fail(f"no agreement has the verification code {code!r}", code=2)
            reports.append(verify.verify_agreement(db, agreement))
        if ledger:
            reports.append(verify.verify_ledger(db))
        if code is None and not ledger:
            reports = verify.verify_all(db)
    for report in reports:
        for line in report.lines():
            typer.echo(line)
    broken = [report for report in reports if not report.ok]
    if broken:
        problems = sum(len(report.problems) for report in broken)
        raise fail(f"tampering found: {problems} problem(s) in {len(broken)} check(s)")


def register(app: typer.Typer) -> None:
    """Add this area's commands to `app` (the `matchmaker events` group or the root)."""
    app.command("verify")(verify_command)
