"""The project's errors. Every message names the file and the reason, and never contains a raw number. Their words
are in the catalogue of :mod:`detector.messages`, English and Japanese: ``str()`` of an error is the English, and
:meth:`MyNumberToolError.localized` the user's language (the command line shows that one)."""

from __future__ import annotations

from .messages import Text, language, text

# The command's exit statuses (see detector.assess for the ones a scan's result decides): 0 nothing found, 1
# findings but not reportable on what was scanned, 2 usage error, 3 reportable, 4 the command could not run, 5
# possibly reportable (what was not read or was held back, or a presumed public place, could make it reportable).
EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_SERIOUS, EXIT_FAILED, EXIT_POSSIBLY = 0, 1, 2, 3, 4, 5


class MyNumberToolError(Exception):
    """Base class of every error this tool raises on purpose: raised with a :class:`~detector.messages.Text` of the
    catalogue (or, for words not in it yet, a plain English string)."""

    exit_status = EXIT_FAILED

    def __init__(self, message: str | Text = "") -> None:
        super().__init__(str(message))
        self.text = message

    def localized(self, lang: str | None = None) -> str:
        """The message in ``lang`` (default: the locale's, ja under ja_*); English where the catalogue has no
        words for it."""
        return self.text.words(lang or language()) if isinstance(self.text, Text) else str(self)


class UsageError(MyNumberToolError):
    """The user asked for something that cannot work (bad option combination, bad value)."""

    exit_status = EXIT_USAGE


class RulesError(UsageError):
    """A rules file is malformed; the message names the file, the line where known, and the problem."""

    def __init__(self, path: str, problem: str | Text, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(text("located", where=where, problem=problem))
        self.path = path
        self.line = line
        self.problem = problem


class KeyError_(MyNumberToolError):
    """The fingerprint key could not be loaded or created."""


class ScanError(MyNumberToolError):
    """The scan as a whole could not run (a root that does not exist, an unwritable output)."""


class UnscannableFile(MyNumberToolError):
    """One file cannot be scanned; the scan lists it as unscanned with ``reason`` and goes on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
