"""The meta-test: every shipped rule's good/bad cases give the outcome they expect."""

import pytest

from scanner.engine.cases import run_cases
from scanner.engine.ruleset import load_ruleset

RULESET = load_ruleset()


def test_pack_is_not_empty():
    assert len(RULESET.rules) >= 13


@pytest.mark.parametrize("rule", RULESET.rules, ids=lambda r: r.id)
def test_rule_cases(rule):
    outcomes = run_cases(rule)
    expected_kinds = {o.expected for o in outcomes}
    assert {"PASS", "FAIL"} <= expected_kinds, f"{rule.id} needs at least one PASS and one FAIL case"
    wrong = [f"{o.name}: expected {o.expected}, got {o.actual}" for o in outcomes if not o.ok]
    assert not wrong, f"{rule.id}: " + "; ".join(wrong)
