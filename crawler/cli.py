"""`vnfeeds`: the command line. Every command has -h/--help with an example.

Common options come from the settings table (crawler/config.py); each is also an environment
variable (`--db` = VNFEEDS_DB, …). User errors (a bad source file, an unknown source id) are
reported as one clear message, not a traceback.
"""

from __future__ import annotations

import json
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from crawler import __version__, places
from crawler.clock import iso, now, parse_iso
from crawler.config import SETTINGS, Config

if TYPE_CHECKING:
    from crawler.registry import Registry

F = TypeVar("F", bound=Callable[..., Any])
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def settings_options(command: str) -> Callable[[F], F]:
    """The settings-table options a command takes (all have an environment variable)."""

    def decorate(func: F) -> F:
        for setting in reversed(SETTINGS):
            if "*" not in setting.cli and command not in setting.cli:
                continue
            default = setting.default if setting.default != "" else "(none)"
            func = click.option(
                setting.option,
                setting.name,
                default=None,
                type=type(setting.default)
                if isinstance(setting.default, int | float)
                and not isinstance(setting.default, bool)
                else str,
                help=f"{setting.help} [env {setting.env}; default {default}]",
            )(func)
        return func

    return decorate


def load_config(options: dict[str, Any]) -> Config:
    try:
        return Config.load({k: v for k, v in options.items() if v is not None})
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


def load_sources(config: Config) -> Registry:
    # Imported here: the registry's validation (pydantic) is a fifth of a second of start-up
    # that `build`, `serve` and `search` do not need.
    from crawler.registry import RegistryError, load_registry

    try:
        return load_registry(config.sources_path)
    except RegistryError as exc:
        raise click.ClickException(
            "the source registry has problems:\n  " + "\n  ".join(exc.problems)
        ) from exc


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version")
def main() -> None:
    """vnfeeds: news feeds from Vietnam's provincial government portals.

    Crawls the portals' news sections into a SQLite store and publishes RSS, Atom and JSON feeds
    by province and by topic.

    Example: vnfeeds demo --once
    """


# -- crawl / run / build -----------------------------------------------------------------------


def _select(registry: Registry, ids: tuple[str, ...]) -> list[Any]:
    try:
        return registry.select(ids)
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from exc


def _print_outcome(outcome: Any) -> None:
    from crawler.runner import outcome_line

    click.echo(outcome_line(outcome))


@main.command(context_settings=CONTEXT)
@click.argument("source_ids", nargs=-1)
@click.option(
    "--backfill",
    type=int,
    default=0,
    show_default=True,
    help="Walk this many list pages deeper than usual (and past known articles) to fill history.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the outcomes as JSON.")
@settings_options("crawl")
def crawl(source_ids: tuple[str, ...], backfill: int, as_json: bool, **options: Any) -> None:
    """Crawl some sources (default: every enabled one) now.

    Prints per source: pages, new, updated, duplicates, errors. Exits 1 when a crawl failed.

    Example: vnfeeds crawl lai-chau sotttt-hanoi --backfill 5
    """
    from crawler.runner import crawl_sources, summary_dict

    config = load_config(options)
    sources = _select(load_sources(config), source_ids)
    if not sources:
        raise click.ClickException("no enabled sources to crawl (see `vnfeeds sources list`)")
    outcomes = crawl_sources(
        config, sources, backfill=backfill, on_done=None if as_json else _print_outcome
    )
    if as_json:
        click.echo(json.dumps([summary_dict(o) for o in outcomes], ensure_ascii=False, indent=2))
    if any(o.failed for o in outcomes):
        sys.exit(1)


def _build(config: Config, full: bool = False) -> Any:
    from feeds.build import build

    return build(
        config.db,
        config.out,
        base_url=config.base_url,
        now=now(),
        hub=config.websub_hub or None,
        full=full,
    )


@main.command(context_settings=CONTEXT)
@settings_options("run")
def run(**options: Any) -> None:
    """The main job, once: crawl every enabled source, then build and publish the feeds.

    Bounded by the run deadline; exits 0 when it ran, even if some portals failed (each failure
    is recorded in the store and printed with its reason).

    Example: vnfeeds run --db /var/lib/vnfeeds/vnfeeds.db --out /var/www/feeds
    """
    from crawler.runner import crawl_sources

    config = load_config(options)
    sources = load_sources(config).enabled()
    started = time.monotonic()
    deadline = started + float(config.run_deadline)
    click.echo(f"crawling {len(sources)} sources (deadline {config.run_deadline:.0f} s)")
    outcomes = crawl_sources(config, sources, deadline=deadline, on_done=_print_outcome)
    result = _build(config)
    failed = [o for o in outcomes if o.failed]
    click.echo(
        f"published {len(result.written)} changed files to {config.out} "
        f"({result.unchanged} unchanged) in {time.monotonic() - started:.1f} s"
    )
    _report_pings(result)
    if failed:
        click.echo(f"{len(failed)} of {len(outcomes)} sources failed:")
        for o in failed:
            reason = (o.message or o.status).splitlines()[0][:300]
            click.echo(f"  {o.source_id}: {o.status}: {reason}")


@main.command(context_settings=CONTEXT)
@click.option("--full", is_flag=True, help="Rebuild and rewrite every file, changed or not.")
@settings_options("build")
def build(full: bool, **options: Any) -> None:
    """Build and publish the feeds from the store (only files whose bytes change are written).

    Example: vnfeeds build --out ./public --base-url https://feeds.example.vn/
    """
    config = load_config(options)
    try:
        result = _build(config, full=full)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"{result.feeds} feeds; {len(result.written)} files written, "
        f"{result.unchanged} unchanged, in {config.out}"
    )
    _report_pings(result)


def _report_pings(result: Any) -> None:
    if result.pinged:
        click.echo(f"WebSub hub pinged for {len(result.pinged)} changed feeds")
    for error in result.ping_errors:
        click.echo(f"WebSub ping failed: {error}", err=True)


# -- serve -----------------------------------------------------------------------------------


def _serve_forever(server: Any) -> None:
    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@main.command(context_settings=CONTEXT)
@click.option("--quiet", is_flag=True, help="Do not log requests.")
@settings_options("serve")
def serve(quiet: bool, **options: Any) -> None:
    """Serve the output dir over HTTP (ETag/Last-Modified, 304, gzip, content types), and
    query feeds from the store: search.atom?q=&province=&topic=&page= (.rss, .json).

    Example: vnfeeds serve --out ./public --db ./vnfeeds.db --port 8080
    """
    from feeds.serve import make_server

    config = load_config(options)
    try:
        server = make_server(
            config.out,
            config.host,
            int(config.port),
            quiet=quiet,
            db=config.db,
            base_url=config.base_url,
        )
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {config.host}:{config.port}: {exc}") from exc
    click.echo(f"serving {config.out} at {server.url} (Ctrl-C to stop)")
    _serve_forever(server)


@main.command("nginx-conf", context_settings=CONTEXT)
@click.option("--listen", default="8080", show_default=True, help="nginx `listen` value.")
@click.option("--server-name", default="_", show_default=True, help="nginx `server_name`.")
@click.option(
    "--upstream",
    default="http://127.0.0.1:8081",
    show_default=True,
    help="Where `vnfeeds serve --db …` answers the query feeds.",
)
@settings_options("nginx-conf")
def nginx_conf(listen: str, server_name: str, upstream: str, **options: Any) -> None:
    """Print an nginx config serving the output dir like `vnfeeds serve` (content types,
    validators and 304, gzip twins, Cache-Control, 301 for retired province slugs, query feeds
    passed to `vnfeeds serve`). It goes in the http context, e.g. /etc/nginx/conf.d/.

    Example: vnfeeds nginx-conf --out /var/www/feeds --listen 80 > /etc/nginx/conf.d/vnfeeds.conf
    """
    from feeds.nginx import server_config

    config = load_config(options)
    try:
        text = server_config(config.out, listen=listen, server_name=server_name, upstream=upstream)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(text, nl=False)


# -- sources -----------------------------------------------------------------------------------


@main.group(context_settings=CONTEXT)
def sources() -> None:
    """The source registry: list, show and check the configured portals; detect a new one.

    Example: vnfeeds sources list --json
    """


def _source_row(s: Any) -> dict[str, Any]:
    return {
        "id": s.id,
        "province": s.province,
        "former_province": s.former_province,
        "name": s.name,
        "homepage": s.homepage,
        "platform": s.platform,
        "enabled": s.enabled,
        "interval": s.interval,
        "sections": [sec.url for sec in s.section],
        "file": s.file,
    }


@sources.command("list", context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@settings_options("sources")
def sources_list(as_json: bool, **options: Any) -> None:
    """List the configured sources.

    Example: vnfeeds sources list --sources crawler/sources/
    """
    registry = load_sources(load_config(options))
    rows = [_source_row(s) for s in registry]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        flag = "" if r["enabled"] else "  (disabled)"
        click.echo(f"{r['id']:<26} {r['province']:<14} {r['platform']:<11} {r['homepage']}{flag}")
    click.echo(f"{len(rows)} sources, {sum(r['enabled'] for r in rows)} enabled")


@sources.command("show", context_settings=CONTEXT)
@click.argument("source_id")
@settings_options("sources")
def sources_show(source_id: str, **options: Any) -> None:
    """Show one source's full configuration (platform defaults merged with its selectors).

    Example: vnfeeds sources show lai-chau
    """
    from crawler.platforms import get_platform

    registry = load_sources(load_config(options))
    try:
        s = registry.get(source_id)
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from exc
    data = s.model_dump(exclude={"file"})
    data["file"] = s.file
    data["effective_selectors"] = get_platform(s.platform).selectors(s.selectors).model_dump()
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@sources.command("check", context_settings=CONTEXT)
@click.argument("source_ids", nargs=-1)
@click.option(
    "--live",
    is_flag=True,
    help="Also fetch each enabled source's first list page (robots.txt obeyed, one request per "
    "host at a time) and report DNS, TLS, HTTP, platform, list items and the newest date; "
    "exits 1 when a source fails.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--timeout",
    type=float,
    default=None,
    help="With --live: seconds a network step (resolve, connect, TLS, each read) may wait; a "
    "source gets three times that in all [default: the download_timeout setting].",
)
@click.option(
    "--deadline",
    type=float,
    default=300.0,
    show_default=True,
    help="With --live: seconds for the whole check; sources not reached by then fail.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="With --live: hosts checked at once.",
)
@settings_options("sources")
def sources_check(
    source_ids: tuple[str, ...],
    live: bool,
    as_json: bool,
    timeout: float | None,
    deadline: float,
    concurrency: int,
    **options: Any,
) -> None:
    """Validate the registry: every file, source, key and value; exits 1 on any problem.

    With --live (on a connected machine), fetch the first list page of every enabled source, or
    of the SOURCE_IDS given, and report per source: reachable or DNS failure, timeout or TLS
    problem (certificate not verifiable, weak DH key: with the fix), HTTP status, whether the
    page is the configured platform, the list items the configured selectors find and the
    newest date on the list. Exits 1 when any source fails.

    Example: vnfeeds sources check --live --timeout 15 lai-chau gia-lai
    """
    config = load_config(options)
    registry = load_sources(config)
    covered = {s.province for s in registry}
    missing = [p for p in places.provinces() if p not in covered]
    if not live:
        if source_ids:
            raise click.UsageError("SOURCE_IDS are only used with --live")
        if as_json:
            summary = {
                "ok": True,
                "sources": len(registry),
                "path": str(config.sources_path),
                "provinces_without_source": missing,
            }
            click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
            return
        click.echo(f"ok: {len(registry)} sources in {config.sources_path}")
        if missing:
            click.echo(f"note: no source for {len(missing)} provinces: {', '.join(missing)}")
        return
    from crawler.livecheck import check_sources, report_table

    chosen = _select(registry, source_ids)
    if not chosen:
        raise click.ClickException("no enabled sources to check (see `vnfeeds sources list`)")
    report = check_sources(
        chosen,
        user_agent=config.user_agent_string,
        timeout=timeout if timeout is not None else float(config.download_timeout),
        deadline=deadline,
        concurrency=concurrency,
        delay=float(config.download_delay),
        robots_obey=bool(config.robots_obey),
        max_bytes=int(config.max_page_bytes),
        max_crawl_delay=float(config.max_crawl_delay),
        proxy=str(config.proxy),
    )
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(report_table(report))
    if report.failed:
        sys.exit(1)


@sources.command("detect", context_settings=CONTEXT)
@click.argument("target", metavar="URL_OR_FILE")
@click.option(
    "--url",
    "page_url",
    default=None,
    help="For a FILE: the URL the page was saved from (resolves its links, names the host).",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--timeout",
    type=float,
    default=15.0,
    show_default=True,
    help="For a URL: seconds a network step may wait (the fetch gets twice that in all).",
)
@settings_options("sources")
def sources_detect(
    target: str, page_url: str | None, as_json: bool, timeout: float, **options: Any
) -> None:
    """Name the CMS family of a portal's homepage or list page, and print a starting
    [[source]] entry with the list selectors that work on it.

    URL_OR_FILE is an http(s) URL (fetched once, robots.txt obeyed, with the crawl's
    User-Agent) or a saved page (HTML or a feed). Prints the evidence for each family, how
    many list items each platform's defaults find, selectors induced from the page's article
    links, the newest date on the list, and the entry (guessed values are commented).

    Example: vnfeeds sources detect https://laichau.gov.vn/tin-tuc-su-kien
    """
    from crawler.clock import now
    from crawler.detect import detect, report_text, source_toml

    config = load_config(options)
    headers: dict[str, str] = {}
    if target.startswith(("http://", "https://")):
        from crawler.livecheck import Client, FetchError

        client = Client(
            config.user_agent_string,
            timeout,
            robots_obey=bool(config.robots_obey),
            max_bytes=int(config.max_page_bytes),
            max_crawl_delay=float(config.max_crawl_delay),
            proxy=str(config.proxy),
        )
        try:
            response = client.fetch(target, until=time.monotonic() + 2 * timeout)
        except FetchError as exc:
            raise click.ClickException(f"{target}: {exc.message}") from exc
        if response.status >= 400:
            raise click.ClickException(f"{target}: HTTP {response.status}")
        text, page_url, headers = response.text, response.url, response.headers
        tls_note = client.origin(response.url).tls_note
        if tls_note and not as_json:
            click.echo(f"note: TLS {tls_note}", err=True)
    else:
        from crawler.extract.encoding import decode_html

        path = Path(target)
        if not path.is_file():
            raise click.ClickException(f"{target}: not an http(s) URL nor a file")
        text = decode_html(path.read_bytes()).text
    detection = detect(text, page_url, headers)
    entry = source_toml(detection, now())
    if as_json:
        data = detection.to_dict()
        data["source_toml"] = entry
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(report_text(detection))
    click.echo("")
    click.echo(entry, nl=False)


# -- status / search -----------------------------------------------------------------------------


@main.command(context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (for monitoring).")
@click.option(
    "--evidence",
    metavar="ALERT_ID",
    help="Print the page kept with an alert (a broken list page) and exit.",
)
@settings_options("status")
def status(as_json: bool, evidence: str | None, **options: Any) -> None:
    """Per-source health and open alerts. Exits 1 when an enabled source's last run failed.

    Per source: state, last success, articles, new per run, field coverage, error rate over
    30 days, usual gap between articles, and the alert conditions it meets now (failing,
    broken, silent, degraded, gap). Alert episodes are opened and closed by the crawls and the
    scheduler; this command only reads.

    Example: vnfeeds status --json
    """
    from crawler import health
    from crawler.scheduler import next_due_table
    from crawler.store import open_readonly

    config = load_config(options)
    try:
        db = open_readonly(config.db)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        if evidence:
            page = health.evidence_page(db, evidence)
            if page is None:
                raise click.ClickException(f"no page is kept for alert {evidence!r}")
            click.echo(f"<!-- {page[0]} -->", err=True)
            sys.stdout.buffer.write(page[1])
            return
        registry = load_sources(config)
        current = now()
        thresholds = health.Thresholds.from_config(config)
        reports = health.reports(db, current, thresholds, registry)
        episodes = health.open_alerts(db)
        due = next_due_table(db, registry, float(config.schedule_jitter), current)
    finally:
        db.close()
    failing = [r for r in reports if r["enabled"] and r["state"] in health.FAILED]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "now": iso(current),
                    "failing": [r["id"] for r in failing],
                    "sources": reports,
                    "alerts": episodes,
                    "next_runs": due,
                },
                ensure_ascii=False,
                indent=2,
                default=str,
            )
        )
    else:
        open_by_source: dict[str, list[str]] = {}
        for a in episodes:
            open_by_source.setdefault(a["source_id"], []).append(a["kind"])
        click.echo(
            f"{'source':<24} {'state':<11} {'last success':<16} {'articles':>8} "
            f"{'new/run':>7} {'gap(h)':>7}  alerts"
        )
        for r in reports:
            if not r["enabled"] and r["state"] == "never":
                continue
            kinds = sorted(set(open_by_source.get(r["id"], [])) | set(r["conditions"]))
            new_per_run = r["new_per_run"]
            click.echo(
                f"{r['id']:<24} {r['state']:<11} {(r['last_success'] or '-')[:16]:<16} "
                f"{r['articles']:>8} {'-' if new_per_run is None else f'{new_per_run:g}':>7} "
                f"{r['usual_gap_hours'] if r['usual_gap_hours'] is not None else '-':>7}  "
                + ",".join(kinds)
            )
        for r in failing:
            message = ((r["last_run"] or {}).get("message") or "").splitlines()
            click.echo(
                f"FAILING {r['id']} x{r['consecutive_failures']}: "
                f"{message[0][:200] if message else r['state']}"
            )
    if failing:
        sys.exit(1)


# -- schedule --------------------------------------------------------------------------------


@main.command(context_settings=CONTEXT)
@click.option("--no-serve", is_flag=True, help="Do not start the HTTP server.")
@click.option(
    "--tick", type=float, default=1.0, show_default=True, help="Seconds between dispatches."
)
@click.option(
    "--health-every",
    type=float,
    default=300.0,
    show_default=True,
    help="Seconds between health checks of every source (silence, status pages).",
)
@settings_options("schedule")
def schedule(no_serve: bool, tick: float, health_every: float, **options: Any) -> None:
    """The long-running service: crawls every enabled source at its interval, builds the feeds
    after runs that changed something, serves them (and /healthz) over HTTP.

    SIGHUP reloads the source registry; SIGTERM/SIGINT stop gracefully (running crawls are
    recorded as interrupted after --stop-grace seconds). One log line per run.

    Example: vnfeeds schedule --db /var/lib/vnfeeds/vnfeeds.db --out /var/www/feeds --port 8080
    """
    import logging

    from crawler.scheduler import Service

    config = load_config(options)
    load_sources(config)  # a broken registry stops here, with its message
    logging.basicConfig(
        level=str(config.log_level).upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    server = None
    service: Any = None
    if not no_serve:
        from feeds.serve import make_server

        try:
            server = make_server(
                config.out,
                config.host,
                int(config.port),
                quiet=True,
                db=config.db,
                base_url=config.base_url,
                health=lambda: service.status() if service else {"status": "starting"},
            )
        except OSError as exc:
            raise click.ClickException(
                f"cannot listen on {config.host}:{config.port}: {exc}"
            ) from exc
        click.echo(f"serving {config.out} at {server.url}", err=True)
    service = Service(
        config,
        tick=tick,
        health_every=health_every,
        server=server,
        build=lambda: _build(config),
    )
    service.run_forever()


@main.command(context_settings=CONTEXT)
@click.argument("query")
@click.option("--province", help="Only this province (slug, e.g. gia-lai).")
@click.option("--topic", help="Only this topic (slug, e.g. y-te).")
@click.option("--limit", type=int, default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@settings_options("search")
def search(
    query: str, province: str | None, topic: str | None, limit: int, as_json: bool, **options: Any
) -> None:
    """Full-text search of the store, newest first. Without diacritics it matches any
    ("binh dinh" finds "Bình Định"); with them it matches exactly ("hòa" is not "hóa").

    Example: vnfeeds search "chuyen doi so" --province gia-lai
    """
    from crawler.store import open_readonly
    from crawler.store.queries import search as run_search

    config = load_config(options)
    try:
        db = open_readonly(config.db)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    page = run_search(db, query, province=province, topic=topic, limit=limit)
    db.close()
    if as_json:
        click.echo(
            json.dumps(
                [
                    {k: r[k] for k in ("id", "url", "title", "published", "province", "source_id")}
                    for r in page.rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for r in page.rows:
        click.echo(f"{r['published'][:16]}  {r['province']:<12} {r['title']}\n    {r['url']}")
    if not page.rows:
        click.echo("no matches")


@main.command(context_settings=CONTEXT)
@click.argument("source_ids", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@settings_options("reextract")
def reextract(source_ids: tuple[str, ...], as_json: bool, **options: Any) -> None:
    """Run extraction again over the archived raw pages (after a selector or extractor fix),
    without fetching anything. Only articles whose text or title changes are rewritten (the
    old version is kept in revisions); refused pages that now pass become articles.

    Example: vnfeeds reextract hung-yen && vnfeeds build
    """
    from crawler.reextract import reextract_source
    from crawler.store import open_store

    config = load_config(options)
    registry = load_sources(config)
    try:
        sources = [registry.get(i) for i in source_ids] if source_ids else list(registry)
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from exc
    db = open_store(config.db)
    results = [reextract_source(db, s) for s in sources]
    db.close()
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
        return
    for r in results:
        click.echo(
            f"{r.source_id:<24} pages={r.pages:<5} changed={r.changed:<4} "
            f"unchanged={r.unchanged:<4} recovered={r.recovered:<3} failed={r.failed}"
        )


# -- demo --------------------------------------------------------------------------------------


@main.command(context_settings=CONTEXT)
@click.option("--once", is_flag=True, help="Build, print the URLs and exit (no server).")
@click.option("--out", "out", default=None, help="Output dir (default: a temporary dir).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8080, show_default=True)
def demo(once: bool, out: str | None, host: str, port: int) -> None:
    """Offline tour: serves the bundled sample portals on 127.0.0.1, crawls them into a
    temporary store, builds the feeds and serves them until Ctrl-C.

    Each sample portal is crawled at the time it was captured (its clock is pinned), so its
    articles are news, not backfill.

    Example: vnfeeds demo --once
    """
    import os

    from crawler.runner import crawl_sources
    from crawler.samples import PortalServer, sample_portals
    from feeds.build import build as build_feeds

    portals = sample_portals()
    workdir = Path(tempfile.mkdtemp(prefix="vnfeeds-demo-"))
    sources_dir = workdir / "sources"
    sources_dir.mkdir()
    servers = [PortalServer(p).start() for p in portals]
    try:
        replay: dict[str, str] = {}
        for server in servers:
            p = server.portal
            (sources_dir / f"{p.name}.toml").write_text(
                p.sources_toml(server.base_url), encoding="utf-8"
            )
            for src in p.sources:
                replay[src["id"]] = iso(p.replay_at)
            click.echo(f"sample portal {p.name:<14} {server.base_url}  (copy of {p.stands_for})")
        out_dir = Path(out) if out else workdir / "public"
        base_url = f"http://{host}:{port}/"
        config = Config.load(
            {
                "db": str(workdir / "vnfeeds.db"),
                "sources": str(sources_dir),
                "out": str(out_dir),
                "base_url": base_url,
                "download_delay": 0.0,
                "autothrottle": False,
                "retry_times": 1,
                "download_timeout": 10.0,
                "crawl_timeout": 120.0,
            }
        )
        pinned = os.environ.get("VNFEEDS_NOW")
        registry = load_sources(config)
        outcomes = crawl_sources(
            config,
            registry.enabled(),
            on_done=_print_outcome,
            env_for=None if pinned else (lambda s: {"VNFEEDS_NOW": replay[s.id]}),
        )
        build_now = parse_iso(pinned) if pinned else max(p.replay_at for p in portals)
        result = build_feeds(config.db, out_dir, base_url=base_url, now=build_now)
        click.echo(
            f"\nstore:  {config.db}\nfeeds:  {out_dir} ({result.feeds} feeds, "
            f"{sum(1 for v in result.entries.values() if v)} with entries)"
        )
        for stem, count in result.entries.items():
            if count and stem.count("/") <= 1:  # all, provinces and topics with entries
                click.echo(
                    f"  {base_url}{stem}.atom  ({count} {'entry' if count == 1 else 'entries'})"
                )
        click.echo(f"  {base_url}index.html  {base_url}index.opml  {base_url}status.html")
        if any(o.failed for o in outcomes):
            click.echo("some sample portals failed to crawl; see status.html", err=True)
        if once:
            return
        from feeds.serve import make_server

        try:
            feed_server = make_server(out_dir, host, port, db=config.db, base_url=base_url)
        except OSError as exc:
            raise click.ClickException(
                f"cannot listen on {host}:{port}: {exc} (try --port 8081)"
            ) from exc
        click.echo(f"\nserving at {feed_server.url} (Ctrl-C to stop)")
        click.echo(f"  search: {base_url}search.atom?q=binh+dinh")
        _serve_forever(feed_server)
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":
    main()
