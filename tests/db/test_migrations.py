from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import shopwarden.db.models  # noqa: F401
from shopwarden.db.engine import current_revision, head_revision, make_engine, upgrade


def test_migrations_produce_exactly_the_models(engine) -> None:
    def ours(name: str | None, type_: str, _parents: object) -> bool:
        return type_ != "table" or name in SQLModel.metadata.tables  # procrastinate/checkpointer tables aside

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": ours})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_upgrade_is_idempotent_on_a_migrated_database(engine) -> None:
    assert upgrade(engine) == head_revision()
    assert upgrade(engine) == head_revision()
    assert current_revision(engine) == head_revision()


def test_upgrade_creates_every_table_on_an_empty_database(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"merchants", "connections", "approvals", "tool_executions", "budget_ledger",
            "deletion_requests", "cached_performance", "cached_orders", "shops"} <= tables
