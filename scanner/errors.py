"""Errors a user can cause. Each carries one clear line naming the input and the problem."""


class InputError(Exception):
    """An input that cannot be analysed (not a zip, no manifest, unreadable, empty …)."""

    def __init__(self, input_name: str, problem: str) -> None:
        super().__init__(f"{input_name}: {problem}")
        self.input_name = input_name
        self.problem = problem


class RuleLoadError(Exception):
    """A rule, cases, signature or lexicon file that does not load; the message names the file."""
