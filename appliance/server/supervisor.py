"""``ytempire serve``: the supervisor process.

One event loop runs Hypercorn serving the Quart app and the supervisor's
named side tasks. Start-up: folders and migrations, the first admin, the
listening socket, then READY to systemd. SIGTERM or SIGINT begins a staged
shutdown: stop admitting (``/readyz`` turns 503), let in-flight work finish
within the grace period, stop the rest, exit 0. A side task that dies stops
the process with exit 1, so systemd restarts a clean one.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import sys
from collections.abc import Callable
from typing import TextIO

from hypercorn.asyncio.run import worker_serve
from hypercorn.config import Config as HypercornConfig
from hypercorn.utils import wrap_app

from appliance import __version__
from appliance.config.settings import Settings
from appliance.domain.box import open_box
from appliance.domain.users import NewAdmin, ensure_admin
from appliance.observability.logs import set_log_level
from appliance.server.config_reload import ConfigReloader
from appliance.server.gpus import open_gpu_slots
from appliance.server.inbox_watch import InboxWatcher
from appliance.server.periodic import PeriodicJobs, apply_intervals, box_jobs
from appliance.server.sdnotify import SystemdNotifier
from appliance.server.sidetasks import SideTasks
from appliance.server.webhook_delivery import WebhookDeliverer
from scheduler.engine import Scheduler
from scheduler.telemetry import PsutilSampler
from storage.files import write_atomic
from storage.lock import DataDirBusy, DataDirLock
from web.app import behind_proxies, create_app
from web.services import Services, web_services

logger = logging.getLogger("ytempire.supervisor")

EXIT_OK = 0
EXIT_SIDE_TASK_DIED = 1
# At most this often does a full hot tier bring the tier migration forward.
EARLY_MIGRATION_GAP_S = 30.0


class StartupError(Exception):
    """The supervisor cannot start; the message says why in one line."""


class Supervisor:
    def __init__(
        self,
        settings: Settings,
        *,
        notifier: SystemdNotifier | None = None,
        console: TextIO | None = None,
        load_settings: Callable[[], Settings] | None = None,
    ):
        self.settings = settings
        # Reads the config again as at start (file, environment, flags): live reloads.
        self.load_settings = load_settings
        self._reloads: set[asyncio.Task[object]] = set()
        self.notifier = notifier
        self.console = console or sys.stdout
        self.side_tasks = SideTasks()
        self._stop_requested = asyncio.Event()
        self._http_stop = asyncio.Event()
        self._scheduler: Scheduler | None = None

    def request_stop(self) -> None:
        if not self._stop_requested.is_set():
            logger.info("stop requested")
        self._stop_requested.set()

    async def run(self) -> int:
        lock = DataDirLock(self.settings.data_dir)
        try:
            lock.acquire()
        except DataDirBusy as exc:
            raise StartupError(str(exc)) from None
        try:
            box = await open_box(self.settings)
            try:
                return await self._serve(web_services(box))
            finally:
                await box.close()
        finally:
            lock.release()

    async def _serve(self, services: Services) -> int:
        new_admin = await ensure_admin(services.db, self.settings.admin.email)
        if new_admin is not None:
            self._announce_admin(new_admin)

        config = self._hypercorn_config()
        try:
            sockets = config.create_sockets()
        except OSError as exc:
            raise StartupError(
                f"cannot listen on {self.settings.server.host}:{self.settings.server.port}: "
                f"{exc.strerror or exc}"
            ) from None
        address = sockets.insecure_sockets[0].getsockname()
        app = create_app(self.settings, services)

        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.request_stop)

        # What exists now (modules, the app, its schemas, the settings) lives as long as
        # the process: keep it out of the garbage collector's full scans, which otherwise
        # walk all of it again and again under load (measured: a third more detail
        # requests per second, and half the p95 of every route, docs/PERFORMANCE.md).
        gc.collect()
        gc.freeze()
        self.side_tasks.start(
            "http",
            worker_serve(
                wrap_app(behind_proxies(app, self.settings), config.wsgi_max_body_size, None),
                config,
                sockets=sockets,
                shutdown_trigger=self._http_stop.wait,
            ),
        )
        if self.notifier and self.notifier.watchdog_interval_s:
            self.side_tasks.start("watchdog", self._watchdog(self.notifier))
        self.side_tasks.start("metrics", self._side_task_gauge(services))
        scheduler = await self._start_scheduler(services)
        self.side_tasks.start("admission", scheduler.admission_loop())
        self.side_tasks.start("leases", scheduler.lease_loop())
        periodic = services.periodic = box_jobs(services.box)
        periodic.start()
        # Stages waiting for room on the hot tier: move finished videos off it now.
        scheduler.hot_tier_full_observers.append(
            lambda: periodic.run_soon("tier-migration", not_within_s=EARLY_MIGRATION_GAP_S)
        )
        self._start_reloads(services, scheduler, periodic)
        if self.settings.inbox.enabled:
            self.side_tasks.start("inbox", InboxWatcher(services.box).run())
        self.side_tasks.start("webhooks", WebhookDeliverer(services.box).run())

        logger.info(
            "serving",
            extra={
                "fields": {
                    "url": f"http://{address[0]}:{address[1]}",
                    "host": address[0],
                    "port": address[1],
                    "version": __version__,
                    "boot_id": services.box.boot_id,
                    "pid": os.getpid(),
                }
            },
        )
        if self.notifier:
            self.notifier.ready(f"serving on {address[0]}:{address[1]}")

        stop_waiter = asyncio.create_task(self._stop_requested.wait())
        died_waiter = asyncio.create_task(self.side_tasks.died.wait())
        await asyncio.wait({stop_waiter, died_waiter}, return_when=asyncio.FIRST_COMPLETED)
        stop_waiter.cancel()
        died_waiter.cancel()

        exit_code = EXIT_SIDE_TASK_DIED if self.side_tasks.dead else EXIT_OK
        periodic.stop()
        await self._shutdown(services)
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            loop.remove_signal_handler(signum)
        logger.info("stopped", extra={"fields": {"exit_code": exit_code}})
        return exit_code

    def _start_reloads(
        self, services: Services, scheduler: Scheduler, periodic: PeriodicJobs
    ) -> None:
        """Take an edited config on when its file changes or on SIGHUP."""
        if self.load_settings is None:
            return

        def apply_live(settings: Settings) -> None:
            scheduler.settings_changed()
            apply_intervals(periodic, settings)
            set_log_level(settings.log.level)

        reloader = ConfigReloader(services.box, self.load_settings, [apply_live])

        def on_sighup() -> None:
            task = asyncio.create_task(reloader.reload_safely("SIGHUP"), name="config-reload")
            self._reloads.add(task)
            task.add_done_callback(self._reloads.discard)

        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, on_sighup)
        if self.settings.config_file is not None:
            self.side_tasks.start("config-watch", reloader.watch(self.settings.config_file))

    async def _shutdown(self, services: Services) -> None:
        grace = self.settings.server.grace_period_s
        if self.notifier:
            self.notifier.stopping("shutting down")
        # 1. Stop admitting: readiness goes 503, nothing new starts.
        services.draining = True
        logger.info("shutdown: stopped admitting", extra={"fields": {"grace_s": grace}})
        # 2. Grace: running stages may finish (leases are still renewed meanwhile);
        #    the rest are stopped and marked interrupted, to resume at the next start.
        if self._scheduler is not None:
            await self._scheduler.drain(grace)
        # In-flight HTTP requests finish too (Hypercorn's graceful timeout).
        self._http_stop.set()
        # 3. Stop what is left.
        await self.side_tasks.stop(within_s=grace + 5)

    async def _start_scheduler(self, services: Services) -> Scheduler:
        tiers = list(self.settings.tiers.values())
        gpus = await asyncio.to_thread(open_gpu_slots)
        scheduler = Scheduler(services.box, system=PsutilSampler(tiers), gpus=gpus)
        scheduler.stage_observers.append(services.metrics.observe_stage)
        await scheduler.start()
        services.scheduler = scheduler
        self._scheduler = scheduler
        return scheduler

    def _hypercorn_config(self) -> HypercornConfig:
        config = HypercornConfig()
        config.bind = [f"{self.settings.server.host}:{self.settings.server.port}"]
        config.graceful_timeout = self.settings.server.grace_period_s
        config.accesslog = None
        config.errorlog = logging.getLogger("hypercorn.error")
        config.include_server_header = False
        return config

    async def _watchdog(self, notifier: SystemdNotifier) -> None:
        interval = notifier.watchdog_interval_s or 1.0
        while True:
            notifier.watchdog()
            await asyncio.sleep(interval)

    async def _side_task_gauge(self, services: Services) -> None:
        while True:
            for name in self.side_tasks.names:
                services.metrics.side_task_up.labels(name).set(self.side_tasks.running(name))
            await asyncio.sleep(5)

    def _announce_admin(self, admin: NewAdmin) -> None:
        """Show the first admin's password exactly once, never through the log."""
        under_systemd = "INVOCATION_ID" in os.environ or self.notifier is not None
        if under_systemd:
            path = self.settings.data_dir / "initial-admin-password"
            write_atomic(path, f"{admin.email}\n{admin.password}\n", mode=0o600)
            logger.warning(
                "created the first admin; its password is in a file readable only by the "
                "service user: read it, log in, change the password, delete the file",
                extra={"fields": {"email": admin.email, "password_file": str(path)}},
            )
            return
        print(
            "\n"
            "  First start: created the admin user.\n"
            f"    email:    {admin.email}\n"
            f"    password: {admin.password}\n"
            "  This password is shown once. Log in and change it.\n",
            file=self.console,
            flush=True,
        )
