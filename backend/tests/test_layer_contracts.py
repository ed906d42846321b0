"""The domain_boundary contract type (backend/importlinter_domains.py) on small import graphs."""

from __future__ import annotations

import grimp
import pytest

from importlinter_domains import DomainBoundaryContract


def _graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported, line_number=1, line_contents="import")
    return graph


def _check(graph: grimp.ImportGraph, **options: object) -> list[str]:
    contract = DomainBoundaryContract(
        name="domains",
        session_options={},
        contract_options={
            "domains": ["app.orders", "app.users"],
            "public_modules": ["service", "models"],
            **options,
        },
    )
    check = contract.check(graph, verbose=False)
    assert check.kept == (not check.metadata["illegal"])
    return check.metadata["illegal"]


def test_public_modules_and_outside_packages_are_allowed() -> None:
    graph = _graph(
        ("app.orders.service", "app.users.service"),
        ("app.orders.repository", "app.users.models"),
        ("app.orders.service", "app.orders.repository"),  # inside one domain
        ("app.orders.service", "app.core.db"),  # not a domain
        ("app.main", "app.users.repository"),  # the composition root is not a domain
    )
    assert _check(graph) == []


@pytest.mark.parametrize("imported", ["app.users.repository", "app.users.jobs", "app.users.sub.service"])
def test_any_other_module_of_another_domain_is_refused(imported: str) -> None:
    assert _check(_graph(("app.orders.service", imported))) == [f"app.orders.service -> {imported} (l.1)"]


def test_ignore_imports_leaves_out_exactly_the_listed_import() -> None:
    graph = _graph(
        ("app.orders.service", "app.users.repository"),
        ("app.orders.router", "app.users.repository"),
    )
    illegal = _check(graph, ignore_imports=["app.orders.service -> app.users.repository"])
    assert illegal == ["app.orders.router -> app.users.repository (l.1)"]
