"""Path globs, the one syntax of ``--exclude``, rules/excludes.toml and rules/locations.toml, compiled to regexes
that match in time linear in the path's length whatever the glob.

The syntax (matched against absolute paths, case-sensitive):

- ``*`` any characters within one name, ``?`` one character, ``[abc]``, ``[a-z]`` one of these, ``[!x]`` or
  ``[^x]`` one character not among these (``]`` first in the class, or ``-`` first or last, is itself; a class
  never matches ``/``);
- ``**`` as a whole folder name: zero or more folders (``**/x``, ``a/**/b``); at the end, everything below the
  folder, not the folder itself (``/var/www/**``);
- ``{a,b}`` alternatives, which may hold wildcards, ``/`` and other braces (``{*.log,tmp/*}``);
- a glob starting with ``/`` is matched from the root, any other from any folder (``.snapshot``, ``*.bak``,
  ``data/*.csv``); a glob matches a folder and so everything below it.

A glob that cannot mean anything is a :class:`GlobError`, never a rule that silently matches nothing: an
unclosed ``[`` or ``{``, a range backwards (``[z-a]``), a class holding ``/`` or a name such as ``[:alpha:]``,
``**`` glued to other characters (``**.bak``: write ``**/*.bak``), an empty folder name (``a//b``).

Why not fnmatch.translate, pathspec or wcmatch: they translate globs to Python ``re``, a backtracking engine, in
which ``**/`` repeated or ``*a*a*a*b`` on a long name takes time exponential in the number of wildcards (our
former translation ran for over a minute on ``**/`` ten times then ``x/*a`` against a path 26 folders deep;
pathspec's plain backend takes 0.4 s for ``*a*a*a*a*a*ab`` on 60 characters, and is linear only with its hyperscan
backend, on x86_64). Here each glob is a sequence of *pieces* separated by stars:
within a name, literal characters between ``*``; in a path, names between ``**``. A piece that has a star before
and after it may be matched at its earliest place (the star after it absorbs whatever a later place would have
left), so the regex finds each such piece with a lazy search inside an atomic group, ``(?>[^/]*?piece)``, that is
never entered again: the engine never combines the places of two pieces, and a match takes at most (path length)
x (glob length) steps. Only the last piece of a name backtracks, over one name.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

MAX_ALTERNATIVES = 1024  # {a,b} nine times is 512 globs: enough for any rule, and it keeps compiling cheap
MAX_NESTING = 10  # braces within braces


class GlobError(ValueError):
    """A glob that cannot mean anything; the message says what is wrong (the caller names the rule)."""


class _Class(NamedTuple):
    """``[...]``: one character in (or, negated, not in) the ranges."""

    negated: bool
    ranges: tuple[tuple[str, str], ...]


_STAR, _ONE = "*", "?"
_Token = str | _Class  # one literal character (a str of length 1), _STAR, _ONE or a class
_Name = tuple[_Token, ...] | None  # a name of a glob as tokens, or None for a ** folder


class _Alternative(NamedTuple):
    """One glob without braces: from the root or from any folder, and its names."""

    anchored: bool
    names: tuple[_Name, ...]


# -- parsing ------------------------------------------------------------------------------------------------------

def _parse_class(text: str, start: int) -> tuple[_Class, int]:
    """The class opening at ``text[start]`` ('['), and the index just past its ']'."""
    at = start + 1
    negated = at < len(text) and text[at] in "!^"
    at += negated
    ranges: list[tuple[str, str]] = []
    while at < len(text) and (text[at] != "]" or not ranges):
        low = text[at]
        if low == "/":
            raise GlobError(f"unclosed '[' at character {start + 1} (a [...] class cannot hold '/': it matches one "
                            "character of a name; for a '[' itself, write [[])")
        named = text.find(":]", at + 2) if text.startswith("[:", at) else -1
        if named >= 0:
            raise GlobError(f"{text[at:named + 2]!r}: named classes are not supported; list the characters, as "
                            "in [a-zA-Z]")
        if at + 2 < len(text) and text[at + 1] == "-" and text[at + 2] != "]":
            high = text[at + 2]
            if high == "/":
                raise GlobError("a [...] class cannot hold '/': it matches one character of a name")
            if low > high:
                raise GlobError(f"the range {low}-{high} is backwards (empty); write {high}-{low}")
            ranges.append((low, high))
            at += 3
        else:
            ranges.append((low, low))
            at += 1
    if at >= len(text):
        raise GlobError(f"unclosed '[' at character {start + 1} (for a '[' itself, write [[])")
    return _Class(negated, tuple(ranges)), at + 1


def _expand(text: str, at: int = 0, depth: int = 0) -> tuple[list[str], int]:
    """The brace alternatives of ``text[at:]`` as plain globs, up to a ',' or '}' of the enclosing braces when
    nested (``depth`` > 0), and where they stopped. Classes are skipped whole: a '{' in ``[{]`` is itself."""
    results = [""]
    while at < len(text):
        char = text[at]
        if char == "[":
            end = _parse_class(text, at)[1]
            results = [result + text[at:end] for result in results]
            at = end
        elif char == "{":
            if depth >= MAX_NESTING:
                raise GlobError(f"braces nested more than {MAX_NESTING} deep")
            opened = at
            options: list[str] = []
            while True:
                alternatives, at = _expand(text, at + 1, depth + 1)
                options.extend(alternatives)
                if at >= len(text):
                    raise GlobError(f"unclosed '{{' at character {opened + 1}")
                if text[at] == "}":
                    break
            if len(results) * len(options) > MAX_ALTERNATIVES:
                raise GlobError(f"more than {MAX_ALTERNATIVES} alternatives: write several rules")
            results = [result + option for result in results for option in dict.fromkeys(options)]
            at += 1
        elif depth and char in ",}":
            return results, at
        else:
            results = [result + char for result in results]
            at += 1
    return results, at


def _tokens(name: str) -> tuple[_Token, ...]:
    """One name of a glob without braces as tokens; ``**`` glued to other characters is refused."""
    out: list[_Token] = []
    at = 0
    while at < len(name):
        char = name[at]
        if char == "[":
            token, at = _parse_class(name, at)
            out.append(token)
            continue
        if char == _STAR and out and out[-1] == _STAR:
            raise GlobError("'**' must be a whole folder name, as in '**/*.bak' (any folders) or 'logs/**'")
        out.append(char)
        at += 1
    return tuple(out)


@lru_cache(maxsize=256)
def _parse(glob: str) -> tuple[_Alternative, ...]:
    """The glob as alternatives without braces (an alternative with an empty name is left out: it matches
    nothing, as ``a/{b,}/c`` does for ``a//c``)."""
    if not glob.strip("/"):
        raise GlobError("empty glob")
    if "\x00" in glob:
        raise GlobError("a NUL character cannot be in a path")
    expanded = _expand(glob)[0]
    if "//" in glob.strip("/"):
        raise GlobError("empty folder name ('//')")
    out: list[_Alternative] = []
    for alternative in expanded:
        names = alternative.strip("/").split("/")
        if not all(names):
            continue
        parsed = tuple(None if name == "**" else _tokens(name) for name in names)
        out.append(_Alternative(alternative.startswith("/"), parsed))
    if not out:
        raise GlobError("every alternative has an empty folder name: the glob matches nothing")
    return tuple(out)


# -- compiling ----------------------------------------------------------------------------------------------------

def _class_regex(token: _Class, other: str) -> str:
    """``[...]`` for re; a negated class excludes ``other`` too (the separator: '/', and a newline in names
    searched one per line)."""
    items = "".join(re.escape(low) if low == high else f"{re.escape(low)}-{re.escape(high)}"
                    for low, high in token.ranges)
    return f"[^{items}{re.escape(other)}]" if token.negated else f"[{items}]"


def _name_regex(tokens: tuple[_Token, ...], other: str) -> str:
    """A regex matching exactly the names the tokens match (to be followed by the end of the name): the pieces
    between stars, each piece but the last found at its earliest place in an atomic group (see the module's
    docstring), so no name costs more than its length times the tokens'."""
    wild = f"[^{re.escape(other)}]"
    pieces: list[list[str]] = [[]]
    for token in tokens:
        if token == _STAR:
            pieces.append([])
        elif token == _ONE:
            pieces[-1].append(wild)
        elif isinstance(token, _Class):
            pieces[-1].append(_class_regex(token, other))
        else:
            pieces[-1].append(re.escape(token))
    texts = ["".join(piece) for piece in pieces]
    if len(texts) == 1:
        return texts[0]
    first, *middle, last = texts
    return first + "".join(f"(?>{wild}*?{piece})" for piece in middle) + f"{wild}*{last}"


def _names(alternative: _Alternative) -> list[_Name]:
    """The alternative's names as they are matched: consecutive ``**`` as one, one before the first name unless
    anchored, and one at the end as what it means there, one name or more (a name of ``*`` then, since what is
    below a matched folder is matched too)."""
    out: list[_Name] = [] if alternative.anchored else [None]
    for name in alternative.names:
        if name is not None or not out or out[-1] is not None:
            out.append(name)
    if out[-1] is None:
        out[-1] = (_STAR,)
    return out


def _path_regex(alternative: _Alternative) -> str:
    """Names matched one after the other, each as ``/name`` ending where the path's name ends; after a ``**``,
    the names up to the next ``**`` are found at their earliest place, in an atomic group (see above)."""
    out: list[str] = []
    groups: list[str] | None = None
    for name in _names(alternative):
        if name is None:
            if groups is not None:
                out.append(f"(?>(?:/[^/]*+)*?{''.join(groups)})")
            groups = []
            continue
        part = f"/{_name_regex(name, '/')}(?![^/])"
        if groups is None:
            out.append(part)
        else:
            groups.append(part)
    if groups is not None:
        out.append(f"(?>(?:/[^/]*+)*?{''.join(groups)})")
    return "".join(out)


def glob_to_regex(glob: str) -> re.Pattern[str]:
    """The glob as a regex over absolute paths (anchored at the start: ``match`` and ``search`` agree); it matches
    a path when the glob matches the path or a folder above it."""
    alternatives = dict.fromkeys(_path_regex(alternative) for alternative in _parse(glob))
    return re.compile(r"\A(?:" + "|".join(alternatives) + ")")


def glob_name_regex(glob: str, lines: bool = False) -> str:
    """A regex (for ``fullmatch``) of the names the glob's last name matches: ``*.tmp`` -> names ending in
    ``.tmp``, ``{proc,sys}`` -> ``proc`` or ``sys``, ``a/**`` -> any name. With ``lines``, for names searched one
    per line of a text, wildcards do not match a newline either."""
    other = "/\n" if lines else "/"
    last = dict.fromkeys(_name_regex(names[-1] or (_STAR,), other) for names in map(_names, _parse(glob)))
    return "|".join(f"(?:{regex})" for regex in last)


def glob_name_literals(glob: str) -> tuple[str, ...] | None:
    """The names the glob's last name matches when it has no wildcard (``{proc,sys}`` -> ``('proc', 'sys')``,
    ``.snapshot`` -> ``('.snapshot',)``); None when it has one, and a name must be matched by regex."""
    out: list[str] = []
    for names in map(_names, _parse(glob)):
        last = names[-1]
        if last is None or not all(isinstance(token, str) and token not in (_STAR, _ONE) for token in last):
            return None
        out.append("".join(token for token in last if isinstance(token, str)))
    return tuple(dict.fromkeys(out))
