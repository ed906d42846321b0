"""An import-linter contract type: a domain reaches another domain only through its public modules.

import-linter's own contracts can forbid or protect modules by name, but not say "every module of the
other domain except these few": listing each domain's private modules by hand would leave every module
added tomorrow unguarded. This contract reads the domains and the public module names from the
configuration (backend/.importlinter) and checks every direct import between two domains.
"""

from __future__ import annotations

import grimp
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils


class DomainBoundaryContract(Contract):
    """Direct imports from one domain into another must land on one of `public_modules` (or the package).

    Options:
        - domains:        the domain packages (e.g. aigc.scenarios).
        - public_modules: module names, relative to a domain, that other domains may import.
        - ignore_imports: import expressions to leave out, as for the built-in contracts.
    """

    type_name = "domain_boundary"

    domains = fields.ListField(subfield=fields.StringField())
    public_modules = fields.ListField(subfield=fields.StringField())
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(
        contract_utils.AlertLevel, default=contract_utils.AlertLevel.ERROR
    )

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,
            unmatched_alerting=self.unmatched_ignore_imports_alerting,
        )
        # Field values are only typed at run time (import-linter's fields), hence the plain lists here.
        domains: list[str] = list(self.domains)
        public = {f"{domain}.{name}" for domain in domains for name in self.public_modules}
        public |= set(domains)
        illegal = []
        for importer in sorted(graph.modules):
            source = _domain_of(importer, domains)
            if source is None:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                target = _domain_of(imported, domains)
                if target is None or target == source or imported in public:
                    continue
                details = graph.get_import_details(importer=importer, imported=imported)
                lines = ", ".join(str(d["line_number"]) for d in details)
                illegal.append(f"{importer} -> {imported} (l.{lines})")
        return ContractCheck(
            kept=not illegal,
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={"illegal": illegal},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error(
            "A domain may import only another domain's " + ", ".join(self.public_modules) + " modules:",
            bold=False,
        )
        output.new_line()
        for line in check.metadata["illegal"]:
            output.print_error(f"- {line}", bold=False)
            output.new_line()


def _domain_of(module: str, domains: list[str]) -> str | None:
    return next((d for d in domains if module == d or module.startswith(d + ".")), None)
