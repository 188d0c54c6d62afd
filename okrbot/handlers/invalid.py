"""What a use case raises when the input is wrong: nothing is written, and a sentence says why."""

from collections.abc import Mapping


class InvalidInputError(ValueError):
    """One sentence per field that is wrong, keyed by the form's field name."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {text}" for field, text in errors.items()))
        self.errors = dict(errors)


class NotFoundError(LookupError):
    """The thing asked for does not exist in the requesting workspace (or was archived)."""
