from pathlib import Path

from charon.policy import rules

DOC = Path(__file__).resolve().parents[3] / "docs" / "policy.md"


def test_every_rule_is_documented_with_its_severity() -> None:
    rows = {
        line.split("|")[1].strip().strip("`"): line.split("|")[2].strip()
        for line in DOC.read_text().splitlines()
        if line.startswith("| `")
    }
    assert {r.id: r.severity for r in rules()} == rows
