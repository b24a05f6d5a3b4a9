"""The `matchmaker` command: serve, migrate, import, export, fixtures, users."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from tqdm import tqdm

from matchmaker import migrate
from matchmaker.agreements.commands import register as register_agreements
from matchmaker.audit import actions
from matchmaker.audit import service as audit
from matchmaker.audit.commands import register as register_audit
from matchmaker.backup_commands import register as register_backup
from matchmaker.cli_common import PROGRESS_THRESHOLD, fail, progress_bar, session, settings
from matchmaker.db import Database
from matchmaker.errors import DomainError
from matchmaker.events.commands import register as register_events
from matchmaker.jobs.commands import register as register_jobs
from matchmaker.matching.commands import register as register_matching

app = typer.Typer(
    help="matchmaker: large-enterprise needs meet SME capabilities.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
fixtures_app = typer.Typer(
    help="Load the demo data or generate synthetic data.", no_args_is_help=True
)
users_app = typer.Typer(help="Create users, change roles, issue API tokens.", no_args_is_help=True)
app.add_typer(fixtures_app, name="fixtures")
app.add_typer(users_app, name="users")
register_matching(app)
register_events(app)
register_agreements(app)
register_jobs(app)
register_audit(app)
register_backup(app)


class ImportKind(StrEnum):
    enterprises = "enterprises"
    profiles = "profiles"
    needs = "needs"
    all = "all"


class ExportKind(StrEnum):
    enterprises = "enterprises"
    profiles = "profiles"
    needs = "needs"


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    xlsx = "xlsx"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Server processes (share state via Redis)")
    ] = 1,
) -> None:
    """Serve the portal and the API (migrating the database first)."""
    import uvicorn

    from matchmaker.main import create_app

    application = create_app(settings())  # migrates once, before any worker starts
    typer.echo(
        f"matchmaker is serving on http://{host}:{port}  (API docs: http://{host}:{port}/api/docs)"
    )
    if workers == 1:
        uvicorn.run(application, host=host, port=port, log_level="info")
        return
    # Each process builds its own app from the same environment.
    uvicorn.run("matchmaker.main:create_app", factory=True, host=host, port=port,
                workers=workers, log_level="info")  # fmt: skip


@app.command("migrate")
def migrate_command() -> None:
    """Bring the database named by MATCHMAKER_DATABASE_URL to the newest schema."""
    database = Database(settings().db_url)
    try:
        ran = migrate.upgrade(database)
    finally:
        database.dispose()
    typer.echo("database migrated to the newest schema" if ran else "database schema is up to date")


@app.command("messages")
def messages_command() -> None:
    """Print every portal message without a Chinese translation, as PO entries."""
    from matchmaker import catalogue

    absent = catalogue.missing()
    if absent:
        typer.echo(catalogue.as_po(absent))
        raise fail(f"{len(absent)} message(s) lack a Chinese translation in web/locale/zh_Hans")
    typer.echo("every message has a Chinese translation")


@app.command("import")
def import_command(
    kind: Annotated[ImportKind, typer.Argument(help="Record kind, or 'all' for a directory")],
    path: Annotated[
        Path, typer.Argument(help=".jsonl, .json, .csv or .xlsx file (a directory for 'all')")
    ],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Write the valid records and report the rest")
    ] = False,
) -> None:
    """Import records, upserting by id. Atomic: one bad record and nothing is written.

    'all' imports enterprises.*, profiles.* and needs.* from a directory in one transaction.
    """
    from matchmaker.fixtures.demo import RecordDirectoryError, record_files
    from matchmaker.transfer.importer import ImportFailed, import_files

    if kind is ImportKind.all:
        try:
            files = record_files(path)
        except RecordDirectoryError as error:
            raise fail(str(error)) from None
    else:
        files = [(kind.value, path)]
    with session() as db:
        try:
            report = import_files(db, files, skip_invalid=skip_invalid, progress=progress_bar)
        except ImportFailed as failure:
            for notice in failure.notices:
                typer.echo(f"note: {notice}", err=True)
            raise fail(f"{failure}\n{failure.details()}") from None
    for notice in report.notices:
        typer.echo(f"note: {notice}", err=True)
    typer.echo(report.summary())
    if report.issues:
        typer.echo(f"{len(report.issues)} problem(s) in skipped records:", err=True)
        for issue in report.issues:
            typer.echo(f"  {issue}", err=True)


@app.command("export")
def export_command(
    kind: Annotated[ExportKind, typer.Argument(help="Record kind to export")],
    format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="File format")
    ] = ExportFormat.jsonl,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout)")
    ] = None,
) -> None:
    """Export every record of a kind in the import format (export then import is lossless)."""
    from matchmaker.transfer import exporter
    from matchmaker.transfer.kinds import KINDS

    with session() as db:
        if output is None:
            if format is ExportFormat.xlsx and sys.stdout.isatty():
                raise fail("refusing to write XLSX to a terminal; use --output FILE")
            count = exporter.export(
                db, KINDS[kind.value], format.value, sys.stdout.buffer, progress=progress_bar
            )
            sys.stdout.flush()
        else:
            temporary = output.with_name(output.name + ".part")
            with temporary.open("wb") as stream:
                count = exporter.export(
                    db, KINDS[kind.value], format.value, stream, progress=progress_bar
                )
            temporary.replace(output)
        audit.record_now(db, None, actions.EXPORT_DATA, ("kind", kind.value), {"count": count})
    typer.echo(f"exported {count} {kind.value}" + (f" to {output}" if output else ""), err=True)


@fixtures_app.command("load")
def fixtures_load(
    directory: Annotated[Path, typer.Argument(help="Fixture directory, e.g. fixtures/demo")],
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing if data exists")] = False,
) -> None:
    """Load a fixture directory (records and demo users) into the database."""
    from matchmaker.fixtures.demo import RecordDirectoryError, is_empty, load_directory
    from matchmaker.transfer.importer import ImportFailed

    with session() as db:
        if if_empty and not is_empty(db):
            typer.echo("database already has data; demo fixtures not loaded")
            return
        try:
            loaded = load_directory(db, directory, progress=progress_bar)
        except ImportFailed as failure:
            raise fail(f"{failure}\n{failure.details()}") from None
        except DomainError as error:
            raise fail(error.detail) from None
        except RecordDirectoryError as error:
            raise fail(str(error)) from None
    typer.echo(loaded.report.summary())
    typer.echo(f"users: {loaded.users_created} created")


@fixtures_app.command("generate")
def fixtures_generate(
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory to write into")],
    profiles: Annotated[
        int, typer.Option("--profiles", min=0, help="Capability profiles (over SMEs)")
    ] = 1000,
    needs: Annotated[
        int, typer.Option("--needs", min=0, help="Open needs (over large firms)")
    ] = 100,
    seed: Annotated[int, typer.Option("--seed", help="Random seed")] = 1,
) -> None:
    """Write synthetic enterprises.jsonl, profiles.jsonl, needs.jsonl in the import format."""
    from matchmaker.fixtures.generator import generate
    from matchmaker.matching.chain import default_chain_graph

    bar: Any = tqdm(
        total=profiles,
        desc="profiles",
        unit=" rec",
        file=sys.stderr,
        disable=profiles <= PROGRESS_THRESHOLD,
    )
    with bar:
        counts = generate(
            output,
            profiles=profiles,
            needs=needs,
            seed=seed,
            graph=default_chain_graph(),
            progress=bar.update,
        )
    typer.echo(
        f"wrote {counts.large_enterprises} large enterprises, {counts.smes} SMEs, "
        f"{counts.profiles} profiles and {counts.needs} needs to {output}"
    )


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="Login email")],
    role: Annotated[str, typer.Option(help="firm, sme, organiser or admin")],
    name: Annotated[str, typer.Option("--name", help="Display name")],
    enterprise: Annotated[
        str | None, typer.Option(help="Enterprise id (firm and sme users)")
    ] = None,
    organisation: Annotated[str | None, typer.Option(help="Organiser body (organisers)")] = None,
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, envvar="MATCHMAKER_NEW_PASSWORD"
        ),
    ] = "",
) -> None:
    """Create a user (the password is prompted for, or read from MATCHMAKER_NEW_PASSWORD)."""
    from matchmaker.accounts import service
    from matchmaker.accounts.schemas import UserCreate
    from matchmaker.validation import validate_as

    payload = {
        "email": email, "password": password, "display_name": name, "role": role,
        "enterprise_id": enterprise, "organisation": organisation,
    }  # fmt: skip
    with session() as db:
        try:
            data = validate_as(UserCreate, payload, what="user")
            user = service.create_user(db, actor=None, data=data, system=True)
        except DomainError as error:
            raise fail(error.detail) from None
    typer.echo(f"created {user.role.value} user {user.email} ({user.id})")


@users_app.command("set-role")
def users_set_role(
    email: Annotated[str, typer.Argument(help="The user's email")],
    role: Annotated[str, typer.Argument(help="firm, sme, organiser or admin")],
    enterprise: Annotated[
        str | None, typer.Option(help="Enterprise id for firm and sme roles")
    ] = None,
) -> None:
    """Change a user's role, e.g. make someone an organiser or an admin."""
    from matchmaker.accounts import service
    from matchmaker.accounts.schemas import UserUpdate
    from matchmaker.validation import validate_as

    with session() as db:
        user = service.find_by_email(db, email)
        if user is None:
            raise fail(f"no user with email {email}")
        try:
            patch = validate_as(
                UserUpdate, {"role": role, "enterprise_id": enterprise}, what="role change"
            )
            service.update_user(db, actor=None, user_id=user.id, patch=patch, system=True)
        except DomainError as error:
            raise fail(error.detail) from None
    typer.echo(f"{email} is now {role}")


@users_app.command("token")
def users_token(
    email: Annotated[str, typer.Argument(help="The user's email")],
    name: Annotated[str, typer.Option("--name", help="What the token is for")] = "cli",
    days: Annotated[
        int, typer.Option("--days", min=1, max=3650, help="Days until it expires")
    ] = 90,
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", help="read, write or admin; repeat for several (default: all)"),
    ] = None,
) -> None:
    """Issue a personal API token; it is printed once and stored only hashed."""
    from pydantic import ValidationError

    from matchmaker.accounts import service
    from matchmaker.accounts.schemas import TokenCreate

    try:
        data = TokenCreate(name=name, expires_in_days=days, scopes=scope or None)
    except ValidationError as error:
        raise fail(f"invalid --scope: {error.errors()[0]['msg']}") from None
    with session() as db:
        user = service.find_by_email(db, email)
        if user is None:
            raise fail(f"no user with email {email}")
        try:
            _token, raw = service.issue_token(db, user=user, data=data)
        except DomainError as error:
            raise fail(error.detail) from None
    typer.echo(raw)


@users_app.command("list")
def users_list() -> None:
    """List users with their roles."""
    from sqlalchemy import select

    from matchmaker.accounts.models import User

    with session() as db:
        for user in db.scalars(select(User).order_by(User.email)):
            state = "" if user.is_active else " (deactivated)"
            belongs = user.enterprise_id or user.organisation or ""
            typer.echo(f"{user.email}\t{user.role.value}\t{belongs}{state}")
