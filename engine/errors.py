"""Exceptions the engine raises on purpose (bad arguments raise plain ValueError)."""
from __future__ import annotations


class Diverged(ArithmeticError):
    """Training produced a non-finite loss, gradient or update.

    Raised *before* any parameter changes, so the model stays finite and usable: lower the
    learning rate (or the init variance) and continue. ``str(exc)`` is a sentence for the
    student; ``step`` is the step that failed and ``reason`` one of "loss", "gradient", "update".
    """

    def __init__(self, message: str, step: int | None = None, reason: str = "", detail: str = ""):
        super().__init__(message)
        self.step = step
        self.reason = reason
        self.detail = detail or message  # what went wrong, without the advice
