"""Cells a spreadsheet will not run: what the CSV outputs (``scan --format csv``, ``notify``) apply to every cell,
and which cells of an xlsx output (``notify --format xlsx``) are marked as text.

A spreadsheet reads a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or a carriage return before
one) as a formula, and a formula can open links, fetch data or, in old Excel, run commands (OWASP, "CSV
Injection"). The cells we write hold other people's text: file, folder, member and sheet names, column headers,
roster cells. Such a cell is written with a leading single quote, which the spreadsheet hides and which makes it
read the rest as text.

The full-width forms (＝ ＋ － ＠) are triggers too: Japanese Excel turns them into the half-width ones as they are
typed through an input method; whether it also does so when it opens a CSV could not be checked here, and a
quote shown before a rare cell costs less than a formula run on a responder's machine.

An xlsx cell has a type of its own: one written as a string is never evaluated when the workbook opens, so its
text is kept as it is, and a risky one also gets Excel's "quote prefix" (the hidden quote typed before text), so
that editing the cell and pressing Enter does not turn it into a formula either.
"""

from __future__ import annotations

import re

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"[-+]?[0-9]+(?:\.[0-9]+)?")


def neutralise(cell: str) -> str:
    """``cell`` as a spreadsheet shows it without evaluating it: a leading single quote when it begins with a
    formula trigger. A plain decimal number such as ``-5`` is left alone: it can run nothing, and a roster's
    numbers stay numbers."""
    return "'" + cell if is_risky(cell) else cell


def is_risky(cell: str) -> bool:
    """Whether a spreadsheet would read ``cell`` as a formula (see :func:`neutralise`)."""
    return bool(cell) and cell[0] in FORMULA_TRIGGERS and not _PLAIN_NUMBER.fullmatch(cell)


def neutralised(row: list[str]) -> list[str]:
    """Every cell of a row through :func:`neutralise`: what a CSV writer is given, row by row."""
    return [neutralise(cell) for cell in row]
