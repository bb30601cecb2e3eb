"""Every rule is tested on real input: for each kind of target it applies to, at least one of its
cases gives an input (app texts, a page, a notice, a policy or a fixture APK) that goes through the
real extractors, so the rule's tests notice when the extractors stop stating what it reads."""

import pytest

from scanner.engine.cases import cases_path
from scanner.engine.ruleset import load_ruleset, read_yaml

RULESET = load_ruleset()


@pytest.mark.parametrize("rule", RULESET.rules, ids=lambda r: r.id)
def test_every_target_kind_has_an_input_case(rule):
    cases = read_yaml(cases_path(rule))["cases"]
    covered = {case["target_kind"] for case in cases if "input" in case}
    missing = sorted(set(rule.applies_to) - covered)
    assert not missing, f"{rule.id}: no case on real input for target kind(s) {', '.join(missing)}"
