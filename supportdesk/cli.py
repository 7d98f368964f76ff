"""The `supportdesk` command: serve, worker, demo, createadmin, manage."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable
from types import FrameType

log = logging.getLogger("supportdesk.cli")

WORKER_STOP_SECONDS = 20  # a running job may finish before the worker is killed


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")
    import django

    django.setup()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _manage(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["supportdesk manage", *argv])
    return 0


def _fail(message: str, code: int = 1) -> int:
    print(f"supportdesk: error: {message}", file=sys.stderr)
    return code


# serve --------------------------------------------------------------------------------


class _Stop(Exception):
    """SIGTERM arrived: leave the web server and stop the worker."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def serve(args: argparse.Namespace) -> int:
    """Migrate, start a job worker process unless --no-worker, and run uvicorn until
    Ctrl-C or SIGTERM; then stop the worker and wait for its running jobs."""
    _setup()
    if not args.no_migrate:
        _migrate()
    from huey.contrib.djhuey import HUEY

    # With HUEY_IMMEDIATE jobs run inside the request, and a worker would have nothing to do.
    worker = None if args.no_worker or HUEY.immediate else WorkerProcess(args.workers)
    # uvicorn restores this handler after its graceful shutdown and re-raises the signal,
    # which lands here; SIGINT arrives as KeyboardInterrupt the same way.
    signal.signal(signal.SIGTERM, _raise_stop)
    try:
        why = "--no-worker" if args.no_worker else "HUEY_IMMEDIATE is on"
        jobs = "with a job worker" if worker else f"without a job worker ({why})"
        _run_web(args.host, args.port, jobs=jobs, processes=args.processes)
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        if worker is not None:
            worker.stop()
    return 0


def _run_web(host: str, port: int, *, jobs: str, processes: int = 1) -> None:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    # Django warns once that WhiteNoise's file responses are synchronous iterators under
    # ASGI; that needs no reader's attention.
    warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous")
    config = uvicorn.Config(
        "supportdesk.asgi:application",
        host=host,
        port=port,
        lifespan="off",  # Django has no lifespan handlers
        timeout_graceful_shutdown=5,  # live-update streams never end on their own
        proxy_headers=True,
        workers=processes,
    )
    shown = "localhost" if host in ("0.0.0.0", "::") else host  # noqa: S104
    shown = f"[{shown}]" if ":" in shown else shown
    web = f"{processes} web processes" if processes > 1 else "one web process"
    print(
        f"supportdesk is running at http://{shown}:{port}/ ({web}) {jobs}. Ctrl-C stops it.",
        flush=True,
    )
    server = uvicorn.Server(config)
    if processes == 1:
        server.run()
        return
    # Each process runs Django's synchronous views on its own thread, so on several cores
    # several processes answer more requests at once; they share the listening socket.
    sock = config.bind_socket()
    Multiprocess(config, sockets=[sock]).run()


class WorkerProcess:
    """`supportdesk worker` as a child process, restarted if it dies.

    A child process, not a thread: Huey's consumer needs the main thread for its signal
    handlers, and jobs then never compete with requests for the GIL. The child runs in its
    own session so that Ctrl-C reaches only us and we stop it once, gracefully; it exits
    by itself if we die without stopping it (`--parent`).
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.stopping = threading.Event()
        self.process = self._spawn()
        self.watcher = threading.Thread(target=self._watch, name="worker-watch", daemon=True)
        self.watcher.start()

    def _spawn(self) -> subprocess.Popen:
        command = [
            sys.executable,
            "-m",
            "supportdesk.cli",
            "worker",
            "--workers",
            str(self.workers),
            "--parent",
            str(os.getpid()),
        ]
        return subprocess.Popen(command, start_new_session=True)  # noqa: S603

    def _watch(self) -> None:
        while not self.stopping.wait(2):
            code = self.process.poll()
            if code is not None:
                log.error("the job worker exited with status %s; starting a new one", code)
                time.sleep(3)
                if not self.stopping.is_set():
                    self.process = self._spawn()

    def stop(self) -> None:
        self.stopping.set()
        self.watcher.join()
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)  # Huey: finish running jobs, then exit
        try:
            self.process.wait(WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            log.warning("the job worker did not stop in %ss; killing it", WORKER_STOP_SECONDS)
            self.process.kill()
            self.process.wait()


# worker -------------------------------------------------------------------------------


def worker(args: argparse.Namespace) -> int:
    """Consume jobs until SIGINT (finish running jobs) or SIGTERM (stop now)."""
    _setup()
    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    if HUEY.immediate:
        return _fail("HUEY_IMMEDIATE is on, so jobs run inline and there is nothing to consume")
    autodiscover_modules("tasks")
    consumer = HUEY.create_consumer(workers=args.workers, worker_type="thread", periodic=True)
    if args.parent:
        _exit_with_parent(args.parent)
    print(f"supportdesk job worker: {args.workers} threads, pid {os.getpid()}", flush=True)
    consumer.run()
    return 0


def _exit_with_parent(parent: int) -> None:
    """Stop gracefully when the process that started us is gone (a killed `serve`)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


# demo ---------------------------------------------------------------------------------


def demo(args: argparse.Namespace) -> int:
    """Load the demo help desk into an empty database."""
    _setup()
    _migrate()
    from supportdesk.demo.loader import TICKETS, has_tickets, load_demo

    if has_tickets():
        if args.if_empty:
            from supportdesk.demo.people import LOGINS

            print("demo data already loaded. The demo logins (unless changed since):")
            for role, email, password in LOGINS:
                print(f"  {role:<9} {email:<24} password: {password}")
            return 0
        if not args.force:
            return _fail(
                "the database already has tickets; the demo loads into an empty one. Use "
                "--force to add the demo anyway, or point SUPPORTDESK_DATA_DIR at a new folder."
            )
    print(f"Loading the demo help desk (about {round(TICKETS * args.scale):,} tickets)...")
    summary = load_demo(scale=args.scale, progress=lambda line: print(f"  {line}", flush=True))
    print(
        f"Loaded {summary.tickets:,} tickets, {summary.people:,} people and "
        f"{summary.organizations:,} organizations in {summary.seconds:.0f} s.\n\nLog in as:"
    )
    for role, email, password in summary.logins:
        print(f"  {role:<9} {email:<24} password: {password}")
    for email in summary.kept:
        print(f"  {email} (it existed before the demo: its password is unchanged)")
    return 0


# createadmin --------------------------------------------------------------------------


def createadmin(args: argparse.Namespace) -> int:
    """Create an admin account, asking for what the options leave out on a terminal."""
    _setup()
    _migrate()
    from django.conf import settings

    from supportdesk.accounts.models import Role
    from supportdesk.accounts.services import create_user
    from supportdesk.lib.errors import DomainError

    interactive = sys.stdin.isatty()
    missing = [
        opt for opt, value in (("--email", args.email), ("--password", args.password)) if not value
    ]
    if missing and not interactive:
        return _fail(f"{' and '.join(missing)} required when not run on a terminal", code=2)
    email = args.email or _ask("E-mail: ", input)
    name = args.name if args.name is not None else (input("Name: ") if interactive else "")
    password = args.password or _ask_password(email)
    problems = _password_problems(password, email)
    if problems:
        return _fail(" ".join(problems))
    try:
        create_user(email=email, by=None, name=name, role=Role.ADMIN, password=password)
    except DomainError as exc:
        return _fail(str(exc))
    print(f"Admin {email.strip().lower()} created. Log in at {settings.SITE_URL}/login/")
    return 0


def _ask(prompt: str, read: Callable[[str], str]) -> str:
    while True:
        value = read(prompt).strip()
        if value:
            return value


def _password_problems(password: str, email: str) -> list[str]:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from supportdesk.accounts.models import User

    try:
        validate_password(password, User(email=email))
    except ValidationError as exc:
        return list(exc.messages)
    return []


def _ask_password(email: str) -> str:
    while True:
        password = _ask("Password: ", getpass.getpass)
        problems = _password_problems(password, email)
        if problems:
            print(" ".join(problems))
        elif getpass.getpass("Password (again): ") != password:
            print("The passwords differ; try again.")
        else:
            return password


# main ---------------------------------------------------------------------------------


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="supportdesk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("serve", help="run the web server and a job worker")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    p.add_argument(
        "--no-worker",
        action="store_true",
        help="no job worker in this process (run `supportdesk worker` elsewhere)",
    )
    p.add_argument("--workers", type=int, default=2, help="threads of the job worker (2)")
    p.add_argument(
        "--processes",
        type=_positive,
        default=1,
        help="web server processes sharing the port (1; about one per core)",
    )
    p.add_argument(
        "--no-migrate",
        action="store_true",
        help="skip migrating first (when several servers start at once)",
    )
    p.set_defaults(handler=serve)
    p = sub.add_parser("worker", help="run a job worker only")
    p.add_argument("--workers", type=int, default=2, help="worker threads (2)")
    p.add_argument("--parent", type=int, default=0, help=argparse.SUPPRESS)
    p.set_defaults(handler=worker)
    p = sub.add_parser("demo", help="load a demo help desk into an empty database")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--force", action="store_true", help="load even if there are tickets")
    when.add_argument(
        "--if-empty", action="store_true", help="do nothing, successfully, if there are tickets"
    )
    p.add_argument("--scale", type=float, default=1.0, help="fraction of the usual size (1.0)")
    p.set_defaults(handler=demo)
    p = sub.add_parser("createadmin", help="create an admin account")
    p.add_argument("--email")
    p.add_argument("--password", help="prefer the prompt: the command line is visible to others")
    p.add_argument("--name")
    p.set_defaults(handler=createadmin)
    from supportdesk.mail.commands import add_commands

    add_commands(sub)
    sub.add_parser("manage", help="Django's manage.py: supportdesk manage migrate ...")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        return _manage(argv[1:])
    args = _parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
