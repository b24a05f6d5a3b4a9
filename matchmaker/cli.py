"""The `matchmaker` command: serve, migrate, import, export, fixtures, users."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.orm import Session
from tqdm import tqdm

from matchmaker import migrate
from matchmaker.config import Settings, load_settings
from matchmaker.db import Database
from matchmaker.errors import DomainError

T = TypeVar("T")
PROGRESS_THRESHOLD = 2000

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


def progress_bar(items: Iterable[T], total: int, label: str) -> Iterable[T]:
    """A bar on stderr for work of more than a few thousand records."""
    if total <= PROGRESS_THRESHOLD:
        return items
    return tqdm(items, total=total, desc=label, unit=" rec", file=sys.stderr, leave=False)


def _settings() -> Settings:
    return load_settings()


@contextmanager
def _session() -> Iterator[Session]:
    """A session on the configured database, migrated first so any command works on a fresh dir."""
    database = Database(_settings().db_url)
    try:
        migrate.upgrade(database)
        with database.session() as session:
            yield session
    finally:
        database.dispose()


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
) -> None:
    """Serve the portal and the API (migrating the database first)."""
    import uvicorn

    from matchmaker.main import create_app

    application = create_app(_settings())
    typer.echo(
        f"matchmaker is serving on http://{host}:{port}  (API docs: http://{host}:{port}/api/docs)"
    )
    uvicorn.run(application, host=host, port=port, log_level="info")


@app.command("migrate")
def migrate_command() -> None:
    """Bring the database named by MATCHMAKER_DATABASE_URL to the newest schema."""
    database = Database(_settings().db_url)
    try:
        ran = migrate.upgrade(database)
    finally:
        database.dispose()
    typer.echo("database migrated to the newest schema" if ran else "database schema is up to date")


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
    from matchmaker.fixtures.demo import record_files
    from matchmaker.transfer.importer import ImportFailed, import_files

    if kind is ImportKind.all:
        if not path.is_dir():
            raise _fail(
                f"{path} is not a directory; 'import all' reads enterprises.*, profiles.*, needs.*"
            )
        files = record_files(path)
        if not files:
            raise _fail(f"{path} has no enterprises.*, profiles.* or needs.* file")
    else:
        files = [(kind.value, path)]
    with _session() as db:
        try:
            report = import_files(db, files, skip_invalid=skip_invalid, progress=progress_bar)
        except ImportFailed as failure:
            for notice in failure.notices:
                typer.echo(f"note: {notice}", err=True)
            raise _fail(f"{failure}\n{failure.details()}") from None
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

    with _session() as db:
        if output is None:
            if format is ExportFormat.xlsx and sys.stdout.isatty():
                raise _fail("refusing to write XLSX to a terminal; use --output FILE")
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
    typer.echo(f"exported {count} {kind.value}" + (f" to {output}" if output else ""), err=True)


@fixtures_app.command("load")
def fixtures_load(
    directory: Annotated[Path, typer.Argument(help="Fixture directory, e.g. fixtures/demo")],
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing if data exists")] = False,
) -> None:
    """Load a fixture directory (records and demo users) into the database."""
    from matchmaker.fixtures.demo import is_empty, load_directory
    from matchmaker.transfer.importer import ImportFailed

    with _session() as db:
        if if_empty and not is_empty(db):
            typer.echo("database already has data; demo fixtures not loaded")
            return
        try:
            loaded = load_directory(db, directory, progress=progress_bar)
        except ImportFailed as failure:
            raise _fail(f"{failure}\n{failure.details()}") from None
        except DomainError as error:
            raise _fail(error.detail) from None
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
    with _session() as db:
        try:
            data = validate_as(UserCreate, payload, what="user")
            user = service.create_user(db, actor=None, data=data, system=True)
        except DomainError as error:
            raise _fail(error.detail) from None
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

    with _session() as db:
        user = service.find_by_email(db, email)
        if user is None:
            raise _fail(f"no user with email {email}")
        try:
            patch = validate_as(
                UserUpdate, {"role": role, "enterprise_id": enterprise}, what="role change"
            )
            service.update_user(db, actor=None, user_id=user.id, patch=patch, system=True)
        except DomainError as error:
            raise _fail(error.detail) from None
    typer.echo(f"{email} is now {role}")


@users_app.command("token")
def users_token(
    email: Annotated[str, typer.Argument(help="The user's email")],
    name: Annotated[str, typer.Option("--name", help="What the token is for")] = "cli",
    days: Annotated[
        int, typer.Option("--days", min=1, max=3650, help="Days until it expires")
    ] = 90,
) -> None:
    """Issue a personal API token; it is printed once and stored only hashed."""
    from matchmaker.accounts import service
    from matchmaker.accounts.schemas import TokenCreate

    with _session() as db:
        user = service.find_by_email(db, email)
        if user is None:
            raise _fail(f"no user with email {email}")
        _token, raw = service.issue_token(
            db, user=user, data=TokenCreate(name=name, expires_in_days=days)
        )
    typer.echo(raw)


@users_app.command("list")
def users_list() -> None:
    """List users with their roles."""
    from sqlalchemy import select

    from matchmaker.accounts.models import User

    with _session() as db:
        for user in db.scalars(select(User).order_by(User.email)):
            state = "" if user.is_active else " (deactivated)"
            belongs = user.enterprise_id or user.organisation or ""
            typer.echo(f"{user.email}\t{user.role.value}\t{belongs}{state}")


# Matching ------------------------------------------------------------------------------------
graph_app = typer.Typer(help="Inspect and export the industry-chain graph.", no_args_is_help=True)
index_app = typer.Typer(help="Manage the matching index.", no_args_is_help=True)
ranker_app = typer.Typer(help="Train the learned ranker.", no_args_is_help=True)
app.add_typer(graph_app, name="graph")
app.add_typer(index_app, name="index")
app.add_typer(ranker_app, name="ranker")


class MatchFormat(StrEnum):
    json = "json"


def _matching() -> Any:
    from matchmaker.matching.service import MatchingService

    return MatchingService(_settings().data_dir)


def _match_json(match: Any, counterpart: str) -> dict[str, Any]:
    if counterpart == "profile":
        head = {"profile_id": match.profile_id, "enterprise_id": match.profile_enterprise_id}
    else:
        head = {"need_id": match.need_id, "enterprise_id": match.need_enterprise_id}
    return {**head, "score": match.score, "band": match.band, "reasons": match.reasons}


def _emit(payload: dict[str, Any], fmt: MatchFormat) -> None:
    """One JSON object per line (the only format so far; others would branch here)."""
    import json

    if fmt is MatchFormat.json:
        typer.echo(json.dumps(payload, ensure_ascii=False))


@app.command("match")
def match_command(
    need_ids: Annotated[list[str] | None, typer.Argument(help="Need ids to rank SMEs for")] = None,
    all_needs: Annotated[bool, typer.Option("--all", help="Rank every open need")] = False,
    top: Annotated[int, typer.Option("--top", min=1, max=500, help="Matches per need")] = 10,
    format: Annotated[
        MatchFormat, typer.Option("--format", help="Output format")
    ] = MatchFormat.json,
) -> None:
    """Rank SME profiles for needs; one JSON object per line and need, best match first."""

    service = _matching()
    with _session() as db:
        ids = service.open_need_ids(db) if all_needs else list(need_ids or [])
        if not ids:
            raise _fail("name at least one need id, or use --all")
        try:
            for need_id in ids:
                matches = service.match(db, need_id, top)
                payload = {
                    "need_id": need_id,
                    "matches": [_match_json(m, "profile") for m in matches],
                }
                _emit(payload, format)
        except DomainError as error:
            raise _fail(error.detail) from None


@app.command("recommend")
def recommend_command(
    profile_ids: Annotated[
        list[str], typer.Argument(help="Profile ids to recommend open needs for")
    ],
    top: Annotated[int, typer.Option("--top", min=1, max=500, help="Needs per profile")] = 10,
    format: Annotated[
        MatchFormat, typer.Option("--format", help="Output format")
    ] = MatchFormat.json,
) -> None:
    """Rank open needs for profiles; one JSON object per line and profile, best first."""

    service = _matching()
    with _session() as db:
        try:
            for profile_id in profile_ids:
                matches = service.recommend(db, profile_id, top)
                payload = {
                    "profile_id": profile_id,
                    "matches": [_match_json(m, "need") for m in matches],
                }
                _emit(payload, format)
        except DomainError as error:
            raise _fail(error.detail) from None


@index_app.command("rebuild")
def index_rebuild() -> None:
    """Rebuild the matching index from the database (it is also kept up to date by itself)."""
    service = _matching()
    with _session() as db:
        bar: Any = tqdm(desc="indexing", unit=" rec", file=sys.stderr)
        with bar:

            def advance(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            engine = service.rebuild(db, progress=advance)
    typer.echo(f"indexed {len(engine.profiles)} published profiles and {len(engine.needs)} needs")


@app.command("eval")
def eval_command(
    directory: Annotated[
        Path, typer.Argument(help="Labelled set: import files, qrels.tsv, splits.tsv")
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="JSON file for the results")
    ] = None,
) -> None:
    """Measure nDCG@10, P@5, Recall@50 and MRR for the engine, text alone and BM25."""
    import json

    from matchmaker.matching.evaluation import evaluate, format_table

    results = evaluate(directory)
    typer.echo(format_table(results))
    target = output or Path("eval-results.json")
    target.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    typer.echo(f"results written to {target}", err=True)


@ranker_app.command("train")
def ranker_train(
    directory: Annotated[Path, typer.Option("--data", help="Labelled set to train on")] = Path(
        "fixtures/eval"
    ),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Where to write the weights")
    ] = None,
) -> None:
    """Fit the ranker on the set's dev split and write weights plus a model card."""
    from matchmaker.matching.evaluation import format_table, train
    from matchmaker.matching.service import ranker_path

    ranker = train(directory)
    target = output or ranker_path()
    ranker.save(target)
    typer.echo(format_table({"engine": ranker.card["metrics"]}))
    typer.echo(f"weights written to {target}", err=True)


@graph_app.command("show")
def graph_show(
    node: Annotated[str, typer.Argument(help="Segment or chain id, or a Chinese name")],
) -> None:
    """Show a segment: names, codes, and what it supplies and is supplied by."""
    from matchmaker.matching.chain import default_chain_graph

    graph = default_chain_graph()
    segment = graph.segments.get(node) or next(
        (s for s in graph.segments.values() if s.name == node), None
    )
    if segment is None:
        chain = graph.chains.get(node)
        if chain is None:
            raise _fail(f"no segment or chain {node!r}")
        typer.echo(f"{chain.id}  {chain.name} ({chain.name_en})")
        for member in graph.segments_of(chain.id):
            typer.echo(f"  {member.id}  {member.name}")
        return
    names = graph.segments
    suppliers = sorted(s.id for s in names.values() if segment.id in s.supplies)
    chain_name = graph.chains[segment.chain].name
    typer.echo(f"{segment.id}  {segment.name} ({segment.name_en})  chain: {chain_name}")
    typer.echo(f"aliases: {'、'.join(segment.aliases)}")
    typer.echo(f"keywords: {'、'.join(segment.keywords)}")
    typer.echo(f"GB/T 4754-2017: {', '.join(segment.gbt4754) or '—'}")
    typer.echo(
        "supplies: " + ("、".join(f"{names[t].name} ({t})" for t in segment.supplies) or "—")
    )
    typer.echo("supplied by: " + ("、".join(f"{names[s].name} ({s})" for s in suppliers) or "—"))


@graph_app.command("export")
def graph_export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: stdout)")
    ] = None,
) -> None:
    """Export the graph as JSON (nodes and typed edges) for the web page that draws it."""
    import json

    from matchmaker.matching.chain import default_chain_graph, export_json

    text = json.dumps(export_json(default_chain_graph()), ensure_ascii=False, indent=1)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
