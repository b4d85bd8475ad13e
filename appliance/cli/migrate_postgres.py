"""``ytempire migrate-to-postgres URL``: move this box's SQLite database to PostgreSQL.

With the supervisor stopped (the data folder's lock tells), every table is copied into
an empty PostgreSQL database and checked (row counts, the cost ledger's and the quota
ledger's totals) before it is committed; the SQLite file is left as it was, so going
back is setting ``database.url`` off again. Then: set ``database.url`` and start the box.
"""

from __future__ import annotations

import sys
import time

from appliance.cli.errors import CliError
from appliance.config.settings import Settings
from storage.copy_to_postgres import CopyError, copy_database
from storage.lock import DataDirBusy, DataDirLock
from storage.urls import is_postgres, shown


def migrate_to_postgres_command(settings: Settings, url: str) -> int:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if not is_postgres(url):
        raise CliError("the target must be a postgresql:// URL")
    if not settings.database_path.is_file():
        raise CliError(f"{settings.database_path} does not exist: nothing to migrate")
    started = time.monotonic()
    last: dict[str, float] = {}

    def progress(table: str, rows: int) -> None:
        now = time.monotonic()
        if now - last.get(table, 0.0) >= 1.0:  # a line a second per table at most
            last[table] = now
            print(f"  {table}: {rows} rows", file=sys.stderr)

    try:
        with DataDirLock(settings.data_dir):
            report = copy_database(
                settings.database_path, url, box_id=settings.box_id, progress=progress
            )
    except DataDirBusy as exc:
        raise CliError(f"{exc}: stop it first (systemctl stop ytempire)") from None
    except CopyError as exc:
        raise CliError(str(exc)) from None
    except Exception as exc:  # the server refused, the network went: one line, not a trace
        raise CliError(f"cannot copy into {shown(url)}: {type(exc).__name__}: {exc}") from None
    print(
        f"copied {settings.database_path} into {shown(url)} in {time.monotonic() - started:.1f} s"
    )
    for table, rows in report.counts.items():
        if rows:
            print(f"  {table:<22} {rows:>10} rows, counts equal")
    for name, total in report.totals.items():
        print(f"  {name:<26} {total:>14}, equal")
    print(
        f"videos not yet held by a box are {settings.box_id}'s. Next: set database.url "
        "(and cluster.box_id) in this box's config and start it; see docs/SCALE-OUT.md."
    )
    return 0
