"""The adapters offer every call the tools' ports name, with the same parameters."""

from __future__ import annotations

import inspect

import pytest

from shopwarden.platforms.ads.client import AdsClient
from shopwarden.platforms.ads.gmv_max import GmvMaxApi
from shopwarden.platforms.creative_center.reader import CreativeReader
from shopwarden.platforms.shop.merchant import MerchantShop
from shopwarden.tools.ports import AdsPort, CreativePort, GmvMaxPort, ShopPort

PAIRS = [(ShopPort, MerchantShop), (AdsPort, AdsClient), (GmvMaxPort, GmvMaxApi), (CreativePort, CreativeReader)]


def _port_members(port: type) -> list[str]:
    return [name for name, value in vars(port).items()
            if not name.startswith("_") and (callable(value) or isinstance(value, property))]


def _shape(function: object) -> list[tuple[str, inspect._ParameterKind, bool]]:
    signature = inspect.signature(function)  # type: ignore[arg-type]
    return [(p.name, p.kind, p.default is inspect.Parameter.empty) for p in signature.parameters.values()]


@pytest.mark.parametrize(("port", "adapter"), PAIRS, ids=lambda value: value.__name__)
def test_every_port_call_exists_on_the_adapter_with_the_same_parameters(port: type, adapter: type) -> None:
    members = _port_members(port)
    assert members, f"{port.__name__} names no calls"
    for name in members:
        assert hasattr(adapter, name), f"{adapter.__name__} lacks {name}, which {port.__name__} promises"
        expected, actual = inspect.getattr_static(port, name), inspect.getattr_static(adapter, name)
        if isinstance(expected, property):
            assert isinstance(actual, property), f"{adapter.__name__}.{name} must be a property"
            continue
        assert _shape(actual) == _shape(expected), f"{adapter.__name__}.{name} differs from {port.__name__}"
        assert inspect.iscoroutinefunction(actual) == inspect.iscoroutinefunction(expected) or \
            inspect.isasyncgenfunction(actual), f"{adapter.__name__}.{name} is not awaited like the port says"


def test_a_missing_call_is_caught() -> None:
    class Incomplete:
        async def authorized_shops(self) -> list[object]:
            return []

    assert not all(hasattr(Incomplete, name) for name in _port_members(ShopPort))
