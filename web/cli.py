"""The ``gongzhi`` command: serve, migrate, demo, imports and admin tasks."""

from __future__ import annotations

import argparse
import getpass
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from demo.city import seed_demo
from participation import accounts, audit
from participation.area_import import import_areas_csv
from participation.errors import DomainError
from participation.rules.permissions import Role
from web import city_scale_cli
from web.ballots import cli as ballots_cli
from web.kit.session_scope import session_scope
from web.migrate import upgrade
from web.ops import cli as ops_cli
from web.ops.logs import log_config
from web.ops.metrics import shared_between_workers
from web.plan import cli as plan_cli
from web.requests import cli as requests_cli
from web.rolls import cli as rolls_cli
from web.search import cli as search_cli
from web.settings import Settings, settings_or_exit
from web.volunteers import cli as volunteers_cli

#: Each area's subcommands, registered here and nowhere else.
AREA_COMMANDS = (
    ballots_cli.register,  # verify, pb tally
    rolls_cli.register,  # import-roll, import-deputies, rolls recount
    plan_cli.register,  # plan-remind, send-mail
    volunteers_cli.register,  # volunteers tick
    ops_cli.register,  # worker, backup, restore
    requests_cli.register,  # requests sweep
    city_scale_cli.register,  # demo --scale city [--fraction F]
    search_cli.register,  # search reindex
)


#: Seconds a worker process may take to answer uvicorn's health check (uvicorn's
#: default: 5). A new worker imports the whole portal before its answering thread
#: starts; on a loaded host that took more than 5 s, and uvicorn killed the worker
#: and started another, which took as long: `gongzhi serve --workers 2` never served
#: (seen at a load average of 14). A worker hung that long is still replaced.
WORKER_HEALTH_SECONDS = 60


def served_base_url(args: argparse.Namespace) -> str:
    """The public URL: ``GONGZHI_BASE_URL`` when set, else where this command serves.

    Without it the links the portal builds (QR codes, calendar feeds, certificate
    checks) and the CSRF origin would name the default port 8000 whatever --port
    says. Workers inherit the environment, so setting it here reaches them."""
    configured = os.environ.get("GONGZHI_BASE_URL")
    if configured:
        return configured.rstrip("/")
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
    host = f"[{host}]" if ":" in host else host
    os.environ["GONGZHI_BASE_URL"] = f"http://{host}:{args.port}"
    return os.environ["GONGZHI_BASE_URL"]


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    served_base_url(args)
    settings_or_exit()  # fail fast on bad settings, before workers start
    with shared_between_workers(args.workers):  # /metrics counts every worker's requests
        uvicorn.run(
            "web.asgi:app",
            host=args.host,
            port=args.port,
            workers=args.workers,
            timeout_worker_healthcheck=WORKER_HEALTH_SECONDS,
            proxy_headers=True,
            log_config=log_config("WARNING" if args.quiet else "INFO"),  # JSON lines
            access_log=False,  # web.ops.observe logs each request, with its id
        )
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    upgrade(settings.database_url)
    print(f"database at {settings.database_url} is up to date")
    return 0


def load_demo(settings: Settings, *, reset: bool = False, residents: int = 2000) -> str:
    """Migrate and load the demo (``demo`` package); returns the text to print."""
    if reset and settings.database_url.startswith("sqlite:///"):
        path = Path(settings.database_url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    upgrade(settings.database_url)
    with session_scope(settings) as session:
        return seed_demo(session, id_hash_key=settings.id_hash_key, residents=residents)


def cmd_demo(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    if settings.environment == "production":
        sys.exit("gongzhi: refusing to load demo data in production")
    print(load_demo(settings, reset=args.reset))
    if args.serve:
        base = served_base_url(args)
        print(f"Open {base}/ and sign in at {base}/login")
        if args.no_worker:
            return cmd_serve(args)
        # The background jobs (offers, reminders, mail) run beside the server, so
        # the demo needs no cron; the worker stops with the server.
        worker = subprocess.Popen([sys.executable, "-m", "web.cli", "worker"])
        # uvicorn re-raises the SIGTERM it stopped on once it has shut down; exiting
        # through Python then runs the finally below, which stops the worker too.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            return cmd_serve(args)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    return 0


def cmd_create_admin(args: argparse.Namespace) -> int:

    password = args.password or getpass.getpass("Password: ")
    with session_scope(settings_or_exit()) as session:
        try:
            account = accounts.sign_up(
                session, login=args.login, password=password, display_name=args.name
            )
        except DomainError as error:
            print(f"gongzhi: {error.message} {error.fields}", file=sys.stderr)
            return 2
        accounts.grant_role(session, account, Role.ADMIN, None)
        audit.record(
            session,
            actor_id=None,
            action="account.create_admin",
            target=f"account:{account.id}",
            ip="cli",
        )
    print(f"administrator {args.login} created")
    return 0


def cmd_import_areas(args: argparse.Namespace) -> int:

    with open(args.file, "rb") as fh:
        data = fh.read()
    with session_scope(settings_or_exit()) as session:
        try:
            result = import_areas_csv(session, data)
        except DomainError as error:
            print(f"gongzhi: {error.message}", file=sys.stderr)
            return 2
        if result.errors:
            for e in result.errors:
                print(f"row {e.row}: {e.reason}", file=sys.stderr)
            session.rollback()
            print("nothing imported", file=sys.stderr)
            return 1
    print(f"{result.created} areas imported")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gongzhi", description="Gongzhi civic portal")
    sub = parser.add_subparsers(dest="command", required=True)

    def serve_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument("--workers", type=int, default=1)
        p.add_argument("--quiet", action="store_true")

    p = sub.add_parser("serve", help="serve the portal with uvicorn")
    serve_options(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("migrate", help="apply database migrations")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("demo", help="load demo data (and serve with --serve)")
    p.add_argument("--reset", action="store_true", help="delete the SQLite database first")
    p.add_argument("--serve", action="store_true")
    p.add_argument(
        "--no-worker", action="store_true", help="with --serve: do not start `gongzhi worker`"
    )
    serve_options(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("create-admin", help="create an administrator account")
    p.add_argument("login")
    p.add_argument("--name", default="管理员")
    p.add_argument("--password")
    p.set_defaults(func=cmd_create_admin)

    p = sub.add_parser("import-areas", help="import the area tree from CSV")
    p.add_argument("file")
    p.set_defaults(func=cmd_import_areas)

    for register in AREA_COMMANDS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
