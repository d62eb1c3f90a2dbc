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
from typing import Any, TypeVar

import click

from crawler import __version__, places
from crawler.clock import iso, now, parse_iso
from crawler.config import SETTINGS, Config
from crawler.registry import Registry, RegistryError, load_registry

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
    """The source registry: list, show and check the configured portals.

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
@settings_options("sources")
def sources_check(**options: Any) -> None:
    """Validate the registry: every file, source, key and value; exits 1 on any problem.

    Example: vnfeeds sources check --sources my-sources/
    """
    config = load_config(options)
    registry = load_sources(config)
    covered = {s.province for s in registry}
    missing = [p for p in places.provinces() if p not in covered]
    click.echo(f"ok: {len(registry)} sources in {config.sources_path}")
    if missing:
        click.echo(f"note: no source for {len(missing)} provinces: {', '.join(missing)}")


# -- status / search -----------------------------------------------------------------------------


@main.command(context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (for monitoring).")
@settings_options("status")
def status(as_json: bool, **options: Any) -> None:
    """Per-source health: last run, last success, failures. Exits 1 when a source is failing.

    Example: vnfeeds status --json
    """
    from crawler.store import open_readonly
    from crawler.store.queries import failure_alerts, source_health

    config = load_config(options)
    try:
        db = open_readonly(config.db)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    health = source_health(db)
    alerts = failure_alerts(db)
    db.close()
    failing = {a["source_id"] for a in alerts}
    if as_json:
        click.echo(
            json.dumps(
                {"sources": health, "alerts": alerts}, ensure_ascii=False, indent=2, default=str
            )
        )
    else:
        for h in health:
            run_row = h.get("last_run") or {}
            click.echo(
                f"{h['id']:<24} {run_row.get('status', 'never'):<11} "
                f"last success {(h['last_success'] or '-')[:16]:<16} articles {h['articles']:<5}"
                + (
                    f" FAILING x{h['consecutive_failures']}: {run_row.get('message') or ''}"[:200]
                    if h["id"] in failing
                    else ""
                )
            )
    if failing:
        sys.exit(1)


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
        registry = load_registry(sources_dir)
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
