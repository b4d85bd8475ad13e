"""The ``ytempire`` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from appliance import __version__
from appliance.cli.errors import EXIT_ERROR, EXIT_USAGE, CliError
from appliance.config.loader import ConfigError, load_settings
from appliance.config.settings import Settings
from appliance.observability.logs import configure_logging


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see {self.prog} --help)", EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        help="config file (default: $YTEMPIRE_CONFIG, ./ytempire.toml, "
        "/etc/ytempire/ytempire.toml)",
    )
    parser = _Parser(prog="ytempire", description="YTEmpire appliance")
    parser.add_argument("--version", action="version", version=f"ytempire {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(
        group: argparse._SubParsersAction, name: str, help_text: str
    ) -> argparse.ArgumentParser:
        return group.add_parser(name, help=help_text, description=help_text, parents=[common])

    serve = add(commands, "serve", "run the supervisor: API, console, scheduler")
    serve.add_argument("--host", help="listen address (server.host)")
    serve.add_argument("--port", type=int, help="listen port (server.port); 0 picks a free one")

    init = add(
        commands, "init", "write a config file (never overwriting one) and prepare the data folders"
    )
    init.add_argument("--data-dir", type=Path, help="data folder to name in a new config file")

    doctor = add(commands, "doctor", "check config, database, storage, encoders, GPUs and voices")
    doctor.add_argument("--json", action="store_true", help="machine-readable report")

    config = commands.add_parser("config", help="show the settings")
    config_commands = config.add_subparsers(dest="config_command", required=True)
    show = add(config_commands, "show", "every setting, its value and where it came from")
    show.add_argument("--json", action="store_true")
    add(config_commands, "reference", "the settings reference in Markdown")

    make = add(commands, "make-video", "make one video end to end on this box")
    make.add_argument("topic", help="what the video is about")
    make.add_argument(
        "--out",
        type=Path,
        help="where to put the MP4 (a file or a folder); default: the export folder",
    )
    make.add_argument(
        "--seconds", type=int, default=60, help="target length, 15 to 900 (default 60)"
    )
    make.add_argument("--format", default="1080p", help="1080p (default), 720p or shorts")
    make.add_argument("--niche", default="general", help="script template family")
    make.add_argument(
        "--work-dir",
        type=Path,
        help="keep the run's database and working files here (default: a temporary folder "
        "on the hot tier, removed after a success)",
    )
    make.add_argument(
        "--encoder",
        default="auto",
        choices=("auto", "libx264", "h264_nvenc"),
        help="auto: NVENC when a GPU opens it, else libx264",
    )

    costs = add(commands, "costs", "what a typical video costs with each provider mix")
    costs.add_argument(
        "what",
        nargs="?",
        choices=("estimate", "reference"),
        default="estimate",
        help="estimate: with this box's prices (default); reference: the built-in ones",
    )
    costs.add_argument("--seconds", type=int, default=480, help="video length (default 480)")
    costs.add_argument("--json", action="store_true")

    bench = commands.add_parser("bench", help="benchmarks")
    bench_commands = bench.add_subparsers(dest="bench_command", required=True)
    bench_render = add(
        bench_commands, "render", "the reference render against the encode-only floor, in one run"
    )
    bench_render.add_argument("--format", default="720p", choices=("720p", "1080p", "shorts"))
    bench_render.add_argument(
        "--encoder",
        default="libx264",
        choices=("auto", "libx264", "h264_nvenc"),
        help="auto: what admission picks (NVENC when a GPU opens it, else libx264)",
    )
    bench_render.add_argument("--json", action="store_true")
    bench_auth = add(
        bench_commands, "auth", "JWT issue/verify and API-key checks against a bare HMAC"
    )
    bench_auth.add_argument("--json", action="store_true")
    bench_auth.add_argument("--calls", type=int, default=20_000, help="calls per timing round")
    bench_pipeline = add(
        bench_commands,
        "pipeline",
        "one video through the API of a real supervisor against the same through make-video",
    )
    bench_pipeline.add_argument("--seconds", type=int, default=45, help="video length (45)")
    bench_pipeline.add_argument("--format", default="720p", choices=("720p", "1080p", "shorts"))
    bench_pipeline.add_argument("--repeat", type=int, default=1, help="runs of each (medians)")
    bench_pipeline.add_argument("--json", action="store_true")
    bench_chaos = add(
        bench_commands,
        "chaos",
        "SIGKILL a real supervisor's whole process tree N times mid-batch; report what was lost",
    )
    bench_chaos.add_argument("--kills", type=int, default=50, help="how many kills (50)")
    bench_chaos.add_argument("--videos", type=int, default=3, help="videos in the batch (3)")
    bench_chaos.add_argument("--seconds", type=int, default=15, help="their length (15)")
    bench_chaos.add_argument("--seed", type=int, default=7, help="when the kills fall")
    bench_chaos.add_argument("--json", action="store_true")

    storage = add(commands, "storage", "each storage tier's use and what moves next")
    storage.add_argument("--json", action="store_true")
    storage.add_argument("--next", type=int, default=10, help="how many next moves (10)")

    backup = add(commands, "backup", "online backup of the database (default: to the cold tier)")
    backup.add_argument("--to", type=Path, help="backup file to write")
    restore = add(commands, "restore", "replace the database with a backup (service stopped)")
    restore.add_argument("path", type=Path, help="backup file made by `ytempire backup`")

    to_postgres = add(
        commands,
        "migrate-to-postgres",
        "copy this box's SQLite database into an empty PostgreSQL one, checked (service stopped)",
    )
    to_postgres.add_argument("url", help="postgresql://user@host:5432/database")

    user = commands.add_parser("user", help="manage users")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    create = add(user_commands, "create", "create a user")
    create.add_argument("--email", required=True)
    create.add_argument("--password", required=True)
    create.add_argument("--role", default="operator", choices=("admin", "operator", "viewer"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return _dispatch(args)
    except CliError as exc:
        print(f"ytempire: error: {exc}", file=sys.stderr)
        return exc.code
    except ConfigError as exc:
        print(f"ytempire: error: bad configuration: {'; '.join(exc.problems)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "config" and args.config_command == "reference":
        from appliance.config.reference import settings_reference

        print(settings_reference(), end="")
        return 0
    overrides = {}
    if args.command == "serve":
        overrides = {"server.host": args.host, "server.port": args.port}
    if args.command == "init" and args.data_dir is not None:
        overrides = {"data_dir": str(args.data_dir.resolve())}
    if args.command == "costs" and args.what == "reference":
        from appliance.pricing.costs_doc import costs_markdown

        print(costs_markdown(Settings(), args.seconds), end="")
        return 0
    if args.command == "init":
        from appliance.cli.init import init_command

        return init_command(args.config, overrides.get("data_dir"))
    settings = load_settings(args.config, overrides=overrides)
    if args.command == "serve":
        return _serve(settings, lambda: load_settings(args.config, overrides=overrides))
    configure_logging("WARNING", "text", stream=sys.stderr)
    if args.command == "doctor":
        from appliance.cli.doctor import doctor_command

        return doctor_command(settings, as_json=args.json)
    if args.command == "config":
        from appliance.config.reference import show_settings

        print(show_settings(settings, as_json=args.json), end="")
        return 0
    if args.command == "make-video":
        from appliance.cli.make_video import BadOption, MakeVideoError, check_request, make_video

        try:
            request = check_request(
                args.topic,
                seconds=args.seconds,
                video_format=args.format,
                niche=args.niche,
                encoder=args.encoder,
                out=args.out,
            )
            path = make_video(settings, request, work_dir=args.work_dir)
        except BadOption as exc:
            raise CliError(str(exc), EXIT_USAGE) from None
        except MakeVideoError as exc:
            raise CliError(str(exc)) from None
        print(path)
        return 0
    if args.command == "costs":
        from appliance.pricing.costs_doc import costs_json, costs_markdown

        if not 15 <= args.seconds <= 900:
            raise CliError("--seconds must be between 15 and 900", EXIT_USAGE)
        render = costs_json if args.json else costs_markdown
        print(render(settings, args.seconds), end="")
        return 0
    if args.command == "bench":
        from appliance.cli.bench import (
            bench_auth_command,
            bench_chaos_command,
            bench_pipeline_command,
            bench_render_command,
        )

        if args.bench_command == "chaos":
            if args.kills < 0 or not 1 <= args.videos <= 50 or not 15 <= args.seconds <= 900:
                raise CliError(
                    "--kills must be 0 or more, --videos 1 to 50, --seconds 15 to 900", EXIT_USAGE
                )
            return bench_chaos_command(
                args.kills, args.videos, args.seconds, args.seed, as_json=args.json
            )

        if args.bench_command == "auth":
            return bench_auth_command(args.calls, as_json=args.json)
        if args.bench_command == "pipeline":
            if not 15 <= args.seconds <= 900 or args.repeat < 1:
                raise CliError("--seconds must be 15 to 900 and --repeat at least 1", EXIT_USAGE)
            return bench_pipeline_command(args.seconds, args.format, args.repeat, as_json=args.json)
        return bench_render_command(args.format, as_json=args.json, encoder=args.encoder)
    if args.command == "storage":
        from appliance.cli.storage import storage_command

        if not 0 <= args.next <= 1000:
            raise CliError("--next must be 0 to 1000", EXIT_USAGE)
        return storage_command(settings, as_json=args.json, limit=args.next)
    if args.command in ("backup", "restore"):
        from appliance.cli.backup import backup_command, restore_command

        if args.command == "backup":
            return backup_command(settings, args.to)
        return restore_command(settings, args.path)
    if args.command == "migrate-to-postgres":
        from appliance.cli.migrate_postgres import migrate_to_postgres_command

        return migrate_to_postgres_command(settings, args.url)
    if args.command == "user":
        return asyncio.run(_create_user(settings, args.email, args.password, args.role))
    raise CliError(f"unknown command {args.command}", EXIT_USAGE)


def _serve(settings: Settings, reload: Callable[[], Settings]) -> int:
    from appliance.server.sdnotify import SystemdNotifier
    from appliance.server.supervisor import StartupError, Supervisor

    configure_logging(settings.log.level, settings.log.format)
    notifier = SystemdNotifier.from_environ()
    try:
        supervisor = Supervisor(settings, notifier=notifier, load_settings=reload)
        return asyncio.run(supervisor.run())
    except StartupError as exc:
        logging.getLogger("ytempire.supervisor").error("cannot start: %s", exc)
        raise CliError(str(exc)) from None


async def _create_user(settings: Settings, email: str, password: str, role: str) -> int:
    from appliance.domain.box import open_box
    from appliance.domain.users import UserError, create_user

    box = await open_box(settings)
    try:
        user = await create_user(box.db, email, password, role)
    except UserError as exc:
        raise CliError(str(exc)) from None
    finally:
        await box.close()
    print(f"created {user.role} {user.email} (id {user.id})")
    return 0
