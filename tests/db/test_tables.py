"""db/tables.py: the typed table and row-count helpers behave like the attributes they replace."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select, update
from sqlalchemy.exc import NoInspectionAvailable
from sqlmodel import Session, SQLModel, col

import shopwarden.db.models as models
from shopwarden.db.models import Merchant
from shopwarden.db.tables import rowcount, table_of


def _table_models() -> list[type[SQLModel]]:
    return [obj for obj in vars(models).values()
            if isinstance(obj, type) and issubclass(obj, SQLModel) and getattr(obj, "__table__", None) is not None]


def test_table_of_is_the_models_own_table() -> None:
    found = _table_models()
    assert Merchant in found and len(found) >= 10
    for model in found:
        assert table_of(model) is model.__table__


def test_table_of_refuses_a_model_without_a_table() -> None:
    class Plain(SQLModel):
        value: int = 0

    with pytest.raises(NoInspectionAvailable):
        table_of(Plain)


def test_rowcount_counts_the_rows_an_update_matched() -> None:
    engine = create_engine("sqlite://")
    table_of(Merchant).create(engine)
    with Session(engine) as session:
        session.add_all([Merchant(id="m1", name="a"), Merchant(id="m2", name="b"), Merchant(id="m3", name="c")])
        session.commit()
        matched = rowcount(session.execute(update(Merchant).where(col(Merchant.id).in_(["m1", "m3", "nope"]))
                                           .values(name="renamed")))
        none = rowcount(session.execute(update(Merchant).where(col(Merchant.id) == "absent").values(name="x")))
    assert (matched, none) == (2, 0)


def test_rowcount_refuses_a_result_without_a_cursor() -> None:
    engine = create_engine("sqlite://")
    table_of(Merchant).create(engine)
    with Session(engine) as session:
        frozen = session.execute(select(table_of(Merchant))).freeze()
        with pytest.raises(TypeError, match="CursorResult"):
            rowcount(frozen())
