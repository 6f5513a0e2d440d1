"""The ``litkg`` command line: a thin layer over the library, one command per stage."""

from __future__ import annotations

import json
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn
from urllib.parse import urlsplit

import typer
from rdflib import Dataset, Graph
from rich.console import Console
from rich.table import Table

from litkg.build import BuildOptions, BuildReport
from litkg.build import build as run_build
from litkg.build.dumps import FORMATS
from litkg.errors import LitkgError
from litkg.parse import parse_files
from litkg.parse.repair import summarise
from litkg.rdf.iris import DEFAULT_BASE
from litkg.rdf.metadata import DEFAULT_LICENSE
from litkg.validate import ENGINES, Engine, validate_graph

if TYPE_CHECKING:
    from litkg.link.evaluate import EvaluationReport, GoldDocument

app = typer.Typer(
    help="litkg publishes journal articles as a validated RDF knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out_console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

Inputs = Annotated[
    list[Path],
    typer.Argument(help="Article files, or directories searched for .txt/.xml/.nxml files (gzip allowed)."),
]


@app.command()
def parse(
    inputs: Inputs,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the parsed records as a JSON array.")
    ] = False,
) -> None:
    """Parse articles into records and print them (a summary table, or JSON with --json)."""
    outcome = parse_files(inputs)
    if as_json:
        out_console.print_json(json.dumps([a.to_dict() for a in outcome.articles], ensure_ascii=False))
    else:
        table = Table("source", "title", "authors", "journal", "year", "refs", "figs")
        for a in outcome.articles:
            table.add_row(
                a.source,
                a.title,
                str(len(a.authors)),
                a.journal or "",
                str(a.year or ""),
                str(len(a.references)),
                str(len(a.figures)),
            )
        out_console.print(table)
    for error in outcome.errors:
        err_console.print(f"[red]error[/red] {error}", highlight=False)
    err_console.print(f"{len(outcome.articles)} parsed, {len(outcome.errors)} rejected", highlight=False)
    if outcome.errors:
        raise typer.Exit(1)


def _fail(message: str, code: int = 2) -> NoReturn:
    """Print ``message`` as an error and exit with ``code`` (2: bad usage or input)."""
    err_console.print(f"[red]error[/red] {message}", highlight=False)
    raise typer.Exit(code)


class EngineChoice(StrEnum):
    """--shacl-engine: pyshacl-turbo (fast) or pySHACL (the reference implementation)."""

    turbo = "turbo"
    pyshacl = "pyshacl"


class AuthChoice(StrEnum):
    """--auth: how ``litkg load`` sends its credentials (:class:`litkg.serve.load.Credentials`)."""

    auto = "auto"
    basic = "basic"
    digest = "digest"


class FormatChoice(StrEnum):
    """--format: a dump written by ``litkg build``."""

    ttl = "ttl"
    nt = "nt"
    nq = "nq"
    trig = "trig"
    jsonld = "jsonld"


assert {e.value for e in EngineChoice} == set(ENGINES) and {f.value for f in FormatChoice} == set(FORMATS)

ShaclEngine = Annotated[
    EngineChoice,
    typer.Option(
        "--shacl-engine",
        help="SHACL engine: turbo (pyshacl-turbo, fast) or pyshacl (the reference implementation).",
    ),
]


def _engine(choice: EngineChoice) -> Engine:
    return "pyshacl" if choice is EngineChoice.pyshacl else "turbo"


BuildInputs = Annotated[
    list[str],
    typer.Argument(
        help="Article files, or directories searched for .txt/.xml/.nxml files (gzip allowed); "
        "with --scheduler also fsspec URLs (s3://bucket/articles/)."
    ),
]


def run_cluster_build(
    inputs: list[str], out: str, options: BuildOptions, scheduler: str, **kwargs: Any
) -> BuildReport:
    """The build on a Dask cluster (imported here: Dask is an optional dependency)."""
    try:
        from litkg.build.cluster import build_on_cluster
    except ImportError as exc:
        _fail(f"--scheduler needs Dask: pip install 'litkg[distributed]' ({exc})")
    return build_on_cluster(inputs, out, options, scheduler, **kwargs)


@app.command()
def build(
    inputs: BuildInputs,
    out: Annotated[
        str,
        typer.Option(
            "--out", "-o", help="Directory the graph files are written to (with --scheduler, also a URL)."
        ),
    ] = "build",
    base: Annotated[str, typer.Option(help="Base IRI every minted IRI starts with.")] = DEFAULT_BASE,
    formats: Annotated[
        list[FormatChoice],
        typer.Option("--format", "-f", help="Output format, repeatable. Default: ttl."),
    ] = [FormatChoice.ttl],  # noqa: B006 - typer needs a literal default
    license_iri: Annotated[
        str, typer.Option("--license", help="Licence IRI stated for the dataset.")
    ] = DEFAULT_LICENSE,
    link: Annotated[
        bool, typer.Option("--link/--no-link", help="Link cell types and diseases mentioned in the text.")
    ] = True,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=1, help="Worker processes (default: the cores, from 50 articles on)."
        ),
    ] = None,
    shacl_engine: ShaclEngine = EngineChoice.turbo,
    shards: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Also write the quads as at most N gzipped N-Quads shards (OUT/graph-00000.nq.gz, …) "
            "with OUT/manifest.json, for bulk loaders; load, query and serve read them.",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Run the build as Dask tasks on the scheduler at this address (tcp://host:8786), "
            "or on a local cluster of --jobs workers ('local'). Inputs and OUT may then be fsspec "
            "URLs (file://, s3://, …) the workers reach; the output is the N-Quads shards "
            "(at most --shards of the shared descriptions, one per task of articles).",
        ),
    ] = None,
) -> None:
    """Parse, link, map, validate and publish articles as RDF into OUT.

    A field the shapes would reject is repaired where a documented rule can, else
    dropped; a figure, annotation or reference description that still fails is left
    out of its article, which is published without it. Every change is listed in
    OUT/report.json and summarised, one line per kind. An article whose own
    description cannot stand is not published: it is listed, with its violations, in
    OUT/rejects.json (and report.json), and the exit code is 1. Inputs that are the
    same article (same DOI, PMID or PMCID) are published once, from the input with the
    fullest description (then the first by name); the others are listed as duplicates.
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}: {task.completed}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    tasks = {name: bar.add_task(name, total=None) for name in ("parsed", "published", "rejected")}

    def advance(stage: str, source: str) -> None:
        bar.advance(tasks[stage])

    if scheduler is not None and [f.value for f in formats] not in (["ttl"], ["nq"]):
        _fail("--scheduler writes the N-Quads shards only: leave out --format (or give -f nq)")
    try:
        with bar:  # drawn only when stderr is a terminal
            if scheduler is not None:
                report = run_cluster_build(
                    inputs,
                    out,
                    BuildOptions(
                        base=base,
                        license_iri=license_iri,
                        link=link,
                        jobs=jobs,
                        shacl_engine=_engine(shacl_engine),
                        shards=shards,
                    ),
                    scheduler,
                    progress=advance,
                )
            else:
                report = run_build(
                    inputs,
                    Path(out),
                    base=base,
                    formats=[f.value for f in formats],
                    license_iri=license_iri,
                    link=link,
                    jobs=jobs,
                    shacl_engine=_engine(shacl_engine),
                    shards=shards,
                    progress=advance,
                )
    except LitkgError as exc:
        _fail(f"{exc}")
    for reject in report.rejects:
        where = f"{reject.source}:{reject.line}" if reject.line else reject.source
        if reject.stage == "duplicate":
            err_console.print(f"[yellow]duplicate[/yellow] {where}: {reject.message}", highlight=False)
            continue
        err_console.print(f"[red]rejected[/red] {where}: {reject.message}", highlight=False)
        for violation in reject.violations:
            err_console.print(f"    {violation.describe()}", highlight=False)
    repaired = summarise(report.repairs)
    if repaired:
        sources = len({repair.source for repair in report.repairs})
        err_console.print(f"repaired or left out, in {sources} published article(s):", highlight=False)
        for line in repaired:
            err_console.print(f"    {line}", highlight=False)
    rejected = [reject for reject in report.rejects if reject.stage != "duplicate"]
    duplicates = len(report.rejects) - len(rejected)
    also = f"{duplicates} duplicate input(s), " if duplicates else ""
    err_console.print(
        f"{len(report.published)} published, {also}{len(rejected)} rejected, {report.triples} triples -> "
        + ", ".join(str(p) for p in report.files),
        highlight=False,
    )
    if rejected:
        raise typer.Exit(1)


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="An RDF file (format guessed from its extension).")],
    shacl_engine: ShaclEngine = EngineChoice.turbo,
) -> None:
    """Validate any RDF file against the shipped SHACL shapes; exit 1 when it does not conform.

    N-Quads and TriG are read with their named graphs, and their union is validated
    (as a published build is checked)."""
    graph = Graph()
    try:
        if file.suffix.lower() in (".nq", ".trig"):
            dataset = Dataset()
            dataset.parse(file, format="nquads" if file.suffix.lower() == ".nq" else "trig")
            for quad in dataset.quads((None, None, None, None)):
                graph.add(quad[:3])
        else:
            graph.parse(file)
    except Exception as exc:  # rdflib raises many parser-specific types
        _fail(f"{file}: cannot parse as RDF: {exc}")
    result = validate_graph(graph, engine=_engine(shacl_engine))
    for violation in result.violations:
        err_console.print(violation.describe(), highlight=False)
    if result.conforms:
        err_console.print(f"{file}: conforms ({len(graph)} triples)", highlight=False)
    else:
        err_console.print(f"{file}: {len(result.violations)} violation(s)", highlight=False)
        raise typer.Exit(1)


ontology_app = typer.Typer(
    help="Build the ontology module (lexicon and terms) litkg ships.", no_args_is_help=True
)
app.add_typer(ontology_app, name="ontology")


@ontology_app.command("build")
def ontology_build(
    sources: Annotated[
        list[Path] | None,
        typer.Option(
            "--source",
            "-s",
            help="A CL/MONDO JSON extract or OBO file (repeatable; earlier wins "
            "for labels and parents). Default: the four files under SHARED/ontologies.",
        ),
    ] = None,
    shared: Annotated[Path, typer.Option(help="The shared reference-data directory.")] = Path("../shared"),
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory to write the module to.")] = Path(
        "ontology"
    ),
) -> None:
    """Derive ontology/ (lexicon of all CL cell types and MONDO diseases, terms with parents)."""
    from litkg.link.ontology import DEFAULT_SOURCES, Source, build_module

    paths = sources or [shared / name for name in DEFAULT_SOURCES]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        _fail(f"missing ontology source(s): {', '.join(missing)}")
    try:
        counts = build_module([Source.from_path(p) for p in paths], out)
    except ValueError as exc:
        _fail(f"{exc}")
    err_console.print(f"wrote {out}: {counts}", highlight=False)


@app.command()
def query(
    graph: Annotated[
        Path, typer.Argument(help="A build directory or an RDF file (.nq, .trig, .nt, .ttl, .jsonld).")
    ],
    text: Annotated[str | None, typer.Argument(help="The SPARQL query text.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Read the query from this .rq file.")] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Run a named query of the shipped library.")
    ] = None,
    bind: Annotated[
        list[str] | None, typer.Option("--bind", "-b", help="A parameter as name=value (repeatable).")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="table, csv, tsv or json (SPARQL JSON results).")
    ] = "table",
) -> None:
    """Run a SPARQL SELECT or ASK query over a built graph on the embedded engine (pyoxigraph)."""
    from litkg.serve.query import (
        QueryError,
        load_store,
        named_query,
        parse_binding,
        run_query,
        serialize_result,
    )

    try:
        sources = [x for x in (text, file, name) if x is not None]
        if len(sources) != 1:
            raise QueryError("give exactly one of: the query text, --file FILE, --name NAME")
        if file is not None:
            try:
                text = file.read_text(encoding="utf-8")
            except OSError as exc:
                raise QueryError(f"{file}: cannot read: {exc.strerror or exc}") from None
        elif name is not None:
            text = named_query(name)
        assert text is not None
        if fmt not in ("table", "csv", "tsv", "json"):
            raise QueryError(f"unknown format {fmt!r}: choose table, csv, tsv or json")
        bindings = dict(parse_binding(b) for b in bind or [])
        store = load_store(graph)
        if fmt != "table":
            out_console.file.write(serialize_result(store, text, bindings, fmt))
            return
        result = run_query(store, text, bindings)
    except QueryError as exc:
        _fail(f"{exc}")
    if result.boolean is not None:
        out_console.print("true" if result.boolean else "false")
        return
    table = Table(*result.variables)
    for row in result.plain_rows():
        table.add_row(*("" if v is None else v for v in row))
    out_console.print(table)
    err_console.print(f"{len(result.rows)} row(s)", highlight=False)


@app.command()
def load(
    out: Annotated[
        Path, typer.Argument(help="A build directory holding graph.nq (build with -f nq), or an .nq file.")
    ],
    endpoint: Annotated[
        str | None, typer.Option(help="SPARQL 1.1 Update endpoint URL (method 'update').")
    ] = None,
    graph_store: Annotated[
        str | None, typer.Option("--graph-store", help="Graph Store Protocol URL (method 'gsp').")
    ] = None,
    method: Annotated[
        str, typer.Option(help="'update' (SPARQL Update, batched) or 'gsp' (PUT per graph).")
    ] = "update",
    user: Annotated[
        str | None, typer.Option(envvar="LITKG_USER", help="User name on the server (or set LITKG_USER).")
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(envvar="LITKG_PASSWORD", show_default=False, help="Password (or set LITKG_PASSWORD)."),
    ] = None,
    auth: Annotated[
        AuthChoice,
        typer.Option(
            help="How the credentials are sent: 'basic' (with every request), 'digest' (answering "
            "the server's challenge: Virtuoso's /sparql-auth), or 'auto' (whichever the server asks for)."
        ),
    ] = AuthChoice.auto,
    batch_size: Annotated[int, typer.Option(min=1, help="Articles per update request.")] = 50,
    query_endpoint: Annotated[
        str | None,
        typer.Option(
            help="SPARQL query endpoint to check the load with (and, with --sync, to list the "
            "server's graphs). Default: the endpoint with /update (or /store) replaced by /query, "
            "else the endpoint itself."
        ),
    ] = None,
    sync: Annotated[
        bool,
        typer.Option(
            "--sync",
            help="Afterwards drop the graphs under the build's base IRI that the build no longer "
            "has (an article left out since the last load); graphs outside the base are never touched.",
        ),
    ] = False,
) -> None:
    """Load a built graph into a SPARQL server: each article in its own named graph,
    replaced on re-load, an article fully loaded or not at all. Afterwards the last graph
    is counted back from the server: a server that answered without storing is an error."""
    from rich.progress import Progress

    from litkg.serve.load import (
        Credentials,
        LoadError,
        NamedGraph,
        check_every_graph,
        check_loaded,
        count_in_graph_store,
        counts_by_graph,
        drop_graphs_store,
        drop_graphs_update,
        dump_to_load,
        graphs_on_server,
        graphs_prefix,
        load_graph_store,
        load_update,
        query_endpoint_of,
        read_named_graphs,
        redacted,
        stale_graphs,
    )
    from litkg.serve.views import METADATA_FILE, dataset_base

    for name, url in (
        ("--endpoint", endpoint),
        ("--graph-store", graph_store),
        ("--query-endpoint", query_endpoint),
    ):
        if url is not None and urlsplit(url).scheme not in ("http", "https"):
            _fail(f"{name} {redacted(url)!r}: not an http(s) URL")
        if url is not None and urlsplit(url).password is not None:
            _fail(f"{name} {redacted(url)!r}: give credentials with --user and --password, not in the URL")
    if password is not None and not user:
        _fail("--password (or LITKG_PASSWORD) needs --user (or LITKG_USER)")
    credentials = Credentials(user, password or "", auth.value) if user else None
    try:
        dumps, single = dump_to_load(out)
        if single is not None:
            err_console.print(
                f"note: {dumps[0]} has no named graphs: loading it whole into <{single}>; "
                "build with `-f nq` for one named graph per article",
                highlight=False,
            )
        build_dir = out if out.is_dir() else out.parent
        if sync and not (build_dir / METADATA_FILE).exists():
            raise LoadError(
                f"--sync needs {build_dir / METADATA_FILE}: "
                "the dataset's base IRI says which graphs are its own"
            )
        loaded: set[str] = set()
        dropped: list[str] = []

        def recorded(graphs: Iterator[NamedGraph]) -> Iterator[NamedGraph]:
            for graph in graphs:
                if sync:
                    loaded.add(graph.name)
                yield graph

        graphs = recorded(read_named_graphs(out))  # streamed: a large build is never held whole
        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task("loading named graphs", total=None)

            def advance(n: int) -> None:
                bar.advance(task, n)

            if method == "update":
                if not endpoint:
                    raise LoadError("--endpoint is required with --method update")
                report = load_update(
                    graphs,
                    endpoint,
                    batch_size=batch_size,
                    auth=credentials,
                    progress=advance,
                )
                checked = query_endpoint or query_endpoint_of(endpoint)
                check_every_graph(report, counts_by_graph(checked, graphs_prefix(report.sent), credentials))
                if sync:
                    on_server = graphs_on_server(checked, credentials)
                    dropped = stale_graphs(on_server, loaded, dataset_base(build_dir))
                    drop_graphs_update(endpoint, dropped, credentials)
            elif method == "gsp":
                if not graph_store:
                    raise LoadError("--graph-store is required with --method gsp")
                report = load_graph_store(graphs, graph_store, auth=credentials, progress=advance)
                store_url = graph_store
                try:
                    checked = query_endpoint or query_endpoint_of(store_url)
                    held = counts_by_graph(checked, graphs_prefix(report.sent), credentials)
                except LoadError:
                    if query_endpoint:
                        raise
                    # no SPARQL query endpoint beside the Graph Store: count the last graph back
                    check_loaded(report, lambda name: count_in_graph_store(store_url, name, credentials))
                else:
                    check_every_graph(report, held)
                if sync:
                    on_server = graphs_on_server(query_endpoint or query_endpoint_of(store_url), credentials)
                    dropped = stale_graphs(on_server, loaded, dataset_base(build_dir))
                    drop_graphs_store(store_url, dropped, credentials)
            else:
                raise LoadError(f"unknown method {method!r}: choose update or gsp")
    except LitkgError as exc:  # LoadError, or an unreadable metadata.ttl
        _fail(f"{exc}", 1)
    err_console.print(
        f"loaded {report.graphs} named graph(s), {report.triples} triples, in {report.requests} request(s)",
        highlight=False,
    )
    if sync:
        err_console.print(f"dropped {len(dropped)} graph(s) the build no longer has", highlight=False)
        for name in dropped:
            err_console.print(f"    <{name}>", highlight=False)


@app.command("eval-linking")
def eval_linking(
    file: Annotated[
        Path,
        typer.Argument(
            help="Gold mentions: gzip JSONL with text and annotations (CRAFT or NCBI Disease layout)."
        ),
    ],
    folds: Annotated[
        int | None,
        typer.Option(
            help="Cross-validate: score each of K folds of documents with a model trained on the others."
        ),
    ] = None,
    fold_seed: Annotated[
        int | None,
        typer.Option(
            help="With --folds: deal the documents into folds in a shuffled order (this seed), "
            "not by their sorted ids, to see how far the figures move with the partition alone."
        ),
    ] = None,
    train: Annotated[
        Path | None,
        typer.Option(
            help="Train the model on this gold file (with --folds: in addition to the training folds)."
        ),
    ] = None,
    subset: Annotated[
        str | None,
        typer.Option(help="Score only the documents of this subset (the NCBI corpus: train, devel)."),
    ] = None,
    train_subset: Annotated[
        str | None, typer.Option(help="Train only on the documents of this subset of the training file.")
    ] = None,
    rules_only: Annotated[
        bool, typer.Option("--rules-only", help="Score the rules without the model.")
    ] = False,
    as_annotated: Annotated[
        bool,
        typer.Option(
            "--as-annotated",
            help="Read gold concepts as annotated: no deprecated term replaced by its successor "
            "in the shipped release (for both the scored and the training documents).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    top: Annotated[int, typer.Option(help="How many frequent false positives/negatives to list.")] = 20,
) -> None:
    """Score the CL/MONDO annotator on gold documents: precision, recall, F1 (strict and lenient),
    and where the strict F1 of 2,000 resamples of the scored documents lies (95% of them).

    With no option the shipped model is scored (the report says how many of the documents
    it was trained on); --folds and --train score models trained on other documents only.
    Gold concepts the shipped release deprecates are read as their replacements."""
    from litkg.link.evaluate import GoldError, read_gold
    from litkg.link.evaluate import subset as of_subset

    if fold_seed is not None and folds is None:
        _fail("--fold-seed deals the documents into the folds of --folds: give --folds too")
    current = (lambda curie: curie) if as_annotated else None
    try:
        documents = of_subset(read_gold(file, current), subset)
        training = None
        if train is not None or train_subset is not None:
            training = of_subset(read_gold(train or file, current), train_subset)
    except (OSError, GoldError) as exc:
        _fail(f"cannot read gold documents: {exc}")
    if not documents:
        _fail(f"{file}: no gold documents" + (f" in subset {subset!r}" if subset else ""))
    try:
        report = _linking_report(documents, folds, training, rules_only, fold_seed)
    except ImportError as exc:
        _fail(f"training a linking model needs scikit-learn ({exc}): pip install 'litkg[learn]'")
    except ValueError as exc:
        _fail(str(exc))
    if as_json:
        out_console.print_json(json.dumps(report.to_dict(top), ensure_ascii=False))
        return
    _print_linking_report(report, top)


def _linking_report(
    documents: list[GoldDocument],
    folds: int | None,
    training: list[GoldDocument] | None,
    rules_only: bool,
    fold_seed: int | None = None,
) -> EvaluationReport:
    """Score ``documents`` by cross-validation, by a model trained on ``training``, or with
    the shipped model (or the rules alone)."""
    from litkg.link import Annotator
    from litkg.link.evaluate import cross_validate, evaluate, train_then_score

    if folds is not None or training is not None:
        from litkg.link.train import Trainer

        # trained on the scored corpus and another, the model follows the scored one's conventions
        corpus = documents[0].corpus
        trained = {d.corpus for d in training or ()} | ({corpus} if folds is not None else set())
        trainer = Trainer(target=corpus if corpus in trained else None)
        if folds is not None:
            return cross_validate(documents, folds, trainer, training or (), fold_seed)
        return train_then_score(trainer, training or [], documents)
    annotator = Annotator(model=None if rules_only else "shipped")
    report = evaluate(documents, annotator)
    report.held_out = [sorted(d.id for d in documents)]
    if annotator.model is None:
        report.trained_on = ["nothing: the rules alone"]
    else:
        seen = set(annotator.model.trained_on) & {d.id for d in documents}
        report.trained_on = [
            f"the shipped model: {len(annotator.model.trained_on)} documents, "
            f"{len(seen)} of the {len(documents)} scored here"
        ]
    return report


def _print_linking_report(report: EvaluationReport, top: int) -> None:
    table = Table("ontology", "match", "precision", "recall", "F1", "tp", "fp", "fn")
    for name, onto in report.ontologies.items():
        for kind, score in (("strict", onto.strict), ("lenient", onto.lenient)):
            table.add_row(
                name,
                kind,
                f"{score.precision:.3f}",
                f"{score.recall:.3f}",
                f"{score.f1:.3f}",
                str(score.tp),
                str(score.fp),
                str(score.fn),
            )
    out_console.print(table)
    for name, onto in report.ontologies.items():
        interval = onto.interval()
        if interval is not None:
            out_console.print(
                f"{name}: strict F1 {onto.strict.f1:.3f}; in {interval.resamples:,} resamples of the "
                f"{interval.documents} scored documents, {interval.level:.0%} of the F1s lie between "
                f"{interval.low:.3f} and {interval.high:.3f}",
                highlight=False,
            )
    for name, onto in report.ontologies.items():
        out_console.print(f"{name}: most frequent false positives", highlight=False)
        for text, count in onto.false_positives.most_common(top):
            out_console.print(f"  {count:5d}  {text}", highlight=False)
        out_console.print(f"{name}: most frequent false negatives", highlight=False)
        for text, count in onto.false_negatives.most_common(top):
            out_console.print(f"  {count:5d}  {text}", highlight=False)
    for i, held in enumerate(report.held_out, 1):
        shown = ", ".join(held[:12]) + (f" … and {len(held) - 12} more" if len(held) > 12 else "")
        label = f"fold {i} held out" if len(report.held_out) > 1 else "scored"
        out_console.print(f"{label} ({len(held)} documents): {shown}", highlight=False)
    for line in (
        report.trained_on if len(report.trained_on) <= 20 else [f"{len(report.trained_on)} documents"]
    ):
        out_console.print(f"trained on: {line}", highlight=False)
    out_console.print(
        f"{report.documents} documents, {report.characters / 1e6:.2f} MB in {report.seconds:.2f} s "
        f"({report.megabytes_per_second:.2f} MB/s)",
        highlight=False,
    )


@app.command()
def serve(
    out: Annotated[Path, typer.Argument(help="A build directory (graph.nq or graph.ttl, metadata.ttl).")],
    base: Annotated[
        str | None,
        typer.Option(help="IRI base the graph was minted under. Default: read from OUT/metadata.ttl."),
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port to listen on.")] = 8000,
    store: Annotated[
        Path | None,
        typer.Option(help="Keep the on-disk store in this directory and reuse it on the next start."),
    ] = None,
    query_timeout: Annotated[
        float, typer.Option(help="Seconds a SPARQL query may run before it is stopped.")
    ] = 10.0,
    max_results: Annotated[
        int, typer.Option(help="Most rows (or triples) a SPARQL query may return.")
    ] = 10_000,
    workers: Annotated[int, typer.Option(help="SPARQL worker processes.")] = 2,
    queue_wait: Annotated[
        float | None,
        typer.Option(
            help="Seconds a query may wait for a busy worker before 503 (default: 3 x --query-timeout)."
        ),
    ] = None,
    max_waiting: Annotated[
        int, typer.Option(help="Most queries waiting for a worker at once; one more gets 503 at once.")
    ] = 32,
    query_memory: Annotated[
        int, typer.Option(help="Megabytes of memory a SPARQL query may use (per worker process).")
    ] = 1024,
    allow_service: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-service",
            help="An endpoint IRI queries may call with SERVICE (repeatable). Default: none, "
            "since SERVICE makes the server fetch a URL.",
        ),
    ] = None,
) -> None:
    """Serve a built graph as linked data: dereferenceable IRIs (303 + content negotiation),
    HTML pages, a read-only SPARQL endpoint at /sparql and the VoID description."""
    import uvicorn

    from litkg.serve.app import create_app
    from litkg.serve.protocol import HeaderLimitProtocol

    if query_timeout <= 0 or max_results <= 0 or workers <= 0 or query_memory <= 0 or max_waiting <= 0:
        _fail("--query-timeout, --max-results, --workers, --query-memory and --max-waiting must be positive")
    if queue_wait is not None and queue_wait < 0:
        _fail("--queue-wait must not be negative")
    try:
        application = create_app(
            out,
            base=base,
            store_dir=store,
            query_timeout=query_timeout,
            max_results=max_results,
            workers=workers,
            services=frozenset(allow_service or ()),
            query_memory=query_memory,
            queue_wait=queue_wait,
            max_waiting=max_waiting,
        )
    except LitkgError as exc:
        _fail(f"{exc}")
    err_console.print(f"serving {out} at http://{host}:{port}/", highlight=False)
    uvicorn.run(application, host=host, port=port, log_level="warning", http=HeaderLimitProtocol)


def main() -> None:
    """Console-script entry point."""
    app()
