"""Database engine, sessions and schema migrations (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, OperationalError, SQLAlchemyError
from sqlmodel import Session, create_engine

from shopwarden.errors import DatabaseError

if TYPE_CHECKING:  # alembic costs ~0.2 s to import; only schema commands need it
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # We issue BEGIN ourselves (see _sqlite_begin), so the driver must not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # WAL + NORMAL survives application crashes; only an OS crash / power loss can lose the
    # last commits. PostgreSQL is the production store for stronger durability.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


READ_ONLY = "shopwarden_read_only"  # execution option: a read pass that needs no transaction of its own
PASS_MEMO = "shopwarden_pass_memo"  # execution option: answers shared by the lookups of one read pass
NO_WAIT = "shopwarden_no_wait"  # execution option (SQLite): take the write lock now or raise WriteLockBusy
BUSY_TIMEOUT_MS = 30_000


class WriteLockBusy(Exception):
    """SQLite's write lock is held by another connection, and the transaction was asked not to wait for it."""


def _sqlite_begin(connection: Any) -> None:
    # BEGIN IMMEDIATE takes the write lock up front: a transaction that reads then writes
    # (compare-and-set, the audit hash chain) can never act on a stale snapshot. A read-only pass
    # (autocommit: every SELECT its own snapshot, as on PostgreSQL) takes no lock at all.
    options = connection.get_execution_options()
    if options.get(READ_ONLY):
        return
    if not options.get(NO_WAIT):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    connection.exec_driver_sql("PRAGMA busy_timeout=0")
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except OperationalError as exc:
        raise WriteLockBusy(str(exc.orig)) from None
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


# A connection that came back to the pool less than this long ago is not pinged before its next use:
# pinging on every checkout cost one round trip per transaction. One that sat idle longer (when a
# server restart or an idle timeout may have closed it) is pinged, and replaced if it is dead.
PING_AFTER_IDLE_S = 1.0


def _ping_when_idle(engine: Engine) -> None:
    def checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in_at = record.info.get("checked_in_at")  # absent on a new connection: nothing to ping
        if checked_in_at is None or time.monotonic() - checked_in_at < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError(f"pooled connection failed its ping: {type(exc).__name__}") from exc

    event.listen(engine.pool, "checkin", checkin)
    event.listen(engine.pool, "checkout", checkout)


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # LIFO: the connection used last (the one least likely to have gone stale) is handed out first.
    engine = create_engine(url, pool_size=10, max_overflow=20, pool_use_lifo=True)
    _ping_when_idle(engine)
    return engine


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    return make_engine(url)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_only(engine: Engine) -> Iterator[Any]:
    """A connection for reads that need no transaction of their own: on PostgreSQL no BEGIN/COMMIT
    round trips (each statement sees what was committed when it started, as in a READ COMMITTED
    transaction), on SQLite no write lock."""
    with engine.connect() as connection:
        # SQLite's driver already runs in autocommit (we issue BEGIN ourselves), and setting the
        # AUTOCOMMIT level there would hand transactions back to the driver when the connection is reset.
        options: dict[str, Any] = {READ_ONLY: True, PASS_MEMO: {}}
        if engine.dialect.name != "sqlite":
            options["isolation_level"] = "AUTOCOMMIT"
        yield connection.execution_options(**options)


def pass_memo(connection: Any) -> dict[str, Any] | None:
    """Within a `read_only` pass, a dict where lookups that need the same rows share them (None elsewhere:
    a transaction's reads must see its own writes)."""
    memo = connection.get_execution_options().get(PASS_MEMO)
    return memo if isinstance(memo, dict) else None


def _alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def check_reachable(engine: Engine) -> None:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "connection failed"
        raise DatabaseError(f"database {engine.url.render_as_string(hide_password=True)} "
                            f"is unreachable: {reason}") from None


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Migrate the schema to `revision`; safe to run on an already-migrated database."""
    check_reachable(engine)
    from alembic import command

    try:
        command.upgrade(_alembic_config(engine), revision)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"migration failed: {type(exc).__name__}: {str(exc).splitlines()[0]}") from None
    return current_revision(engine) or ""


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(make_engine("sqlite://")))
    head = script.get_current_head()
    assert head is not None
    return head


def _sqlite_file(url: str) -> Path | None:
    path = url.split("///", 1)[-1] if url.startswith("sqlite") else ""
    return Path(path) if path and path != ":memory:" else None


def require_current_schema(url: str) -> None:
    """Fail with a clear message when the database at `url` has not been created or migrated.

    A missing SQLite file is reported before any connection, which would leave an empty file behind.
    """
    sqlite_file = _sqlite_file(url)
    if sqlite_file is not None and not sqlite_file.exists():
        raise DatabaseError(f"no database at {sqlite_file} yet: run `shopwarden init` first")
    engine = engine_for(url)
    check_reachable(engine)
    revision = current_revision(engine)
    if revision is None:
        raise DatabaseError("the database has no schema yet: run `shopwarden init` first")
    if revision != head_revision():
        raise DatabaseError(f"database schema is at revision {revision}, not {head_revision()}: "
                            "run `shopwarden db upgrade`")
