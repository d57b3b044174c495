"""The figures of the last mutation run (mutants/, left by `mutmut run`), per module, and the survivors docs/testing.md has not explained.

Run by `make mutation` after mutmut; `python -m tests.mutation_report --survivors` also lists every survivor. Exits 1 when a
survivor of a module under the target (TARGET) is not classified in docs/testing.md as equivalent.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
DOCS = ROOT / "docs" / "testing.md"

TARGET = (
    "domain/read/pagination.py",
    "domain/record/checks.py",
    "domain/record/values.py",
    "domain/use_cases/editing.py",
    "domain/use_cases/expulsions.py",
    "domain/use_cases/links.py",
    "domain/use_cases/memberships.py",
    "domain/use_cases/missions.py",
    "domain/use_cases/references.py",
    "domain/use_cases/statements.py",
    "domain/access.py",
    "domain/use_cases/actors.py",
    "domain/use_cases/tokens.py",
    "domain/use_cases/history.py",
    "domain/record/diplomats.py",
    "domain/record/history.py",
    "domain/record/memberships.py",
    "domain/record/missions.py",
    "domain/record/sources.py",
    "domain/record/statements.py",
)
"""The modules the issue named (pages, values and checks, the link, person, spell and mission use cases), with the editor and the
reference checks they run on; then the roles and tokens, the actors' and the history's use cases and rules, and the entities that
hold the record's text. Held to no unexplained survivor and under 10% survival; the rest of domain/ is reached mostly by the
integration tests (docs/testing.md)."""

STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 36: "timeout", 37: "killed", None: "not run"}
"""mutmut's exit codes (mutmut/stats.py); a mutant the type checker catches counts as killed; anything else is suspicious."""

UNCAUGHT = ("survived", "no tests", "timeout", "suspicious")


@dataclass
class Module:
    path: str
    counts: Counter[str] = field(default_factory=Counter)
    uncaught: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def survival(self) -> float:
        return 100 * sum(self.counts[s] for s in UNCAUGHT) / self.total if self.total else 0.0


def modules() -> list[Module]:
    found = []
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        module = Module(str(meta.relative_to(MUTANTS))[: -len(".meta")])
        for name, code in json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"].items():
            status = STATUS.get(code, "suspicious")
            module.counts[status] += 1
            if status in UNCAUGHT:
                module.uncaught.append(name)
        if module.total:
            found.append(module)
    return found


def classified() -> set[str]:
    """The mutants docs/testing.md names (in backquotes) as equivalent."""
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    return set(re.findall(r"`(domain\.[^`\s]+__mutmut_\d+)`", text))


def row(name: str, counts: Counter[str], survival: float) -> str:
    total = sum(counts.values())
    cells = [name, total, counts["killed"], counts["survived"], counts["no tests"], counts["timeout"] + counts["suspicious"]]
    return "| " + " | ".join(str(cell) for cell in cells) + f" | {survival:.1f}% |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--survivors", action="store_true", help="list every mutant not killed")
    args = parser.parse_args()
    if not MUTANTS.is_dir():
        print("no mutants/ folder: run `make mutation` first", file=sys.stderr)
        return 2
    found = modules()
    print("| module | mutants | killed | survived | no tests | timeout or suspicious | survival |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for scope, chosen in (("target", [m for m in found if m.path in TARGET]), ("all of domain/", found)):
        counts: Counter[str] = sum((m.counts for m in chosen), Counter())
        if scope == "target":
            for module in chosen:
                print(row(f"`{module.path}`", module.counts, module.survival))
        total = sum(counts.values())
        print(row(f"**{scope}**", counts, 100 * sum(counts[s] for s in UNCAUGHT) / total if total else 0.0))
    if args.survivors:
        for module in found:
            for name in module.uncaught:
                print(name)
    explained = classified()
    unexplained = [name for m in found if m.path in TARGET for name in m.uncaught if name not in explained]
    not_run = sum(m.counts["not run"] for m in found if m.path in TARGET)
    if not_run:
        print(f"\n{not_run} mutants of the target were not run (an interrupted or partial run)")
    if unexplained:
        print(f"\n{len(unexplained)} survivors of the target are not classified in docs/testing.md:")
        print("\n".join(unexplained))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
