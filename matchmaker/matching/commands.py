"""The matching engine's commands: match, recommend, eval, graph, index, ranker."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from tqdm import tqdm

from matchmaker.cli_common import fail, session, settings
from matchmaker.errors import DomainError
from matchmaker.fixtures.demo import RecordDirectoryError
from matchmaker.transfer.importer import ImportFailed

graph_app = typer.Typer(help="Inspect and export the industry-chain graph.", no_args_is_help=True)
index_app = typer.Typer(help="Manage the matching index.", no_args_is_help=True)
ranker_app = typer.Typer(help="Train the learned ranker.", no_args_is_help=True)


class MatchFormat(StrEnum):
    json = "json"


FormatOption = Annotated[MatchFormat, typer.Option("--format", help="Output format")]
TopOption = Annotated[int, typer.Option("--top", min=1, max=500, help="Matches per query")]


def _service() -> Any:
    from matchmaker.searchengine.backends import matching_service_for

    return matching_service_for(settings())


def _match_json(match: Any, counterpart: str) -> dict[str, Any]:
    if counterpart == "profile":
        head = {"profile_id": match.profile_id, "enterprise_id": match.profile_enterprise_id}
    else:
        head = {"need_id": match.need_id, "enterprise_id": match.need_enterprise_id}
    return {**head, "score": match.score, "band": match.band, "reasons": match.reasons}


def _print_rankings(
    ids: Iterable[str],
    rank: Callable[[str], list[Any]],
    key: str,
    counterpart: str,
    fmt: MatchFormat,
) -> None:
    """One line per query id: {key: id, "matches": [...]}, best first."""
    try:
        for query_id in ids:
            payload = {
                key: query_id,
                "matches": [_match_json(m, counterpart) for m in rank(query_id)],
            }
            if fmt is MatchFormat.json:
                typer.echo(json.dumps(payload, ensure_ascii=False))
    except DomainError as error:
        raise fail(error.detail) from None


def match_command(
    need_ids: Annotated[list[str] | None, typer.Argument(help="Need ids to rank SMEs for")] = None,
    all_needs: Annotated[bool, typer.Option("--all", help="Rank every open need")] = False,
    top: TopOption = 10,
    format: FormatOption = MatchFormat.json,
) -> None:
    """Rank SME profiles for needs; one JSON object per line and need, best match first."""
    service = _service()
    with session() as db:
        ids = service.open_need_ids(db) if all_needs else list(need_ids or [])
        if not ids:
            raise fail("name at least one need id, or use --all")
        _print_rankings(
            ids, lambda need_id: service.match(db, need_id, top), "need_id", "profile", format
        )


def recommend_command(
    profile_ids: Annotated[
        list[str], typer.Argument(help="Profile ids to recommend open needs for")
    ],
    top: TopOption = 10,
    format: FormatOption = MatchFormat.json,
) -> None:
    """Rank open needs for profiles; one JSON object per line and profile, best first."""
    service = _service()
    with session() as db:
        _print_rankings(
            profile_ids,
            lambda profile_id: service.recommend(db, profile_id, top),
            "profile_id",
            "need",
            format,
        )


@index_app.command("rebuild")
def index_rebuild() -> None:
    """Rebuild the indices from the database (they are also kept up to date by themselves):
    the matching index and, with MATCHMAKER_SEARCH_URL, the search engine's indices, each
    built anew and swapped in behind its alias with no downtime."""
    from matchmaker.indexing import rebuild_all
    from matchmaker.searchengine.client import SearchEngineError

    with session() as db:
        bar: Any = tqdm(desc="indexing", unit=" rec", file=sys.stderr)
        with bar:

            def advance(done: int, total: int, stage: str) -> None:
                bar.set_description(stage, refresh=False)
                bar.total = total
                bar.n = done
                bar.refresh()

            try:
                rebuilt = rebuild_all(db, settings(), advance)
            except SearchEngineError as error:
                raise fail(f"search engine: {error}") from None
    typer.echo(rebuilt.summary())


def eval_command(
    directory: Annotated[
        Path, typer.Argument(help="Labelled set: import files, qrels.tsv, splits.tsv")
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="JSON file for the results")
    ] = None,
) -> None:
    """Measure nDCG@10, P@5, Recall@50 and MRR for the engine, text alone and BM25."""
    from matchmaker.matching.evaluation import evaluate, format_table

    try:
        results = evaluate(directory)
    except RecordDirectoryError as error:
        raise fail(str(error)) from None
    except ImportFailed as failure:
        raise fail(f"{failure}\n{failure.details()}") from None
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
    with_feedback: Annotated[
        bool,
        typer.Option(
            "--with-feedback",
            help="Also train on this installation's decisions: firms' candidate decisions, "
            "event shortlists, meetings and signings",
        ),
    ] = False,
) -> None:
    """Fit the ranker on the set's dev split and write weights plus a model card."""
    from matchmaker.matching.evaluation import format_table, train
    from matchmaker.matching.service import ranker_path

    extra: list[tuple[dict[str, float], int]] = []
    if with_feedback:
        from matchmaker.events.labels import training_rows

        with session() as db:
            extra = training_rows(db, _service())
        typer.echo(f"{len(extra)} labelled pairs from feedback", err=True)
    try:
        ranker = train(directory, extra)
    except RecordDirectoryError as error:
        raise fail(str(error)) from None
    except ImportFailed as failure:
        raise fail(f"{failure}\n{failure.details()}") from None
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
            raise fail(f"no segment or chain {node!r}")
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


def register(app: typer.Typer) -> None:
    app.command("match")(match_command)
    app.command("recommend")(recommend_command)
    app.command("eval")(eval_command)
    app.add_typer(graph_app, name="graph")
    app.add_typer(index_app, name="index")
    app.add_typer(ranker_app, name="ranker")
