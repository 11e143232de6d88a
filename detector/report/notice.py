"""What the notice to the people concerned must say, and a draft of it for each person (``notify --letter``).

The letters are Markdown: readable as plain text, printable, and convertible (pandoc) into a document an HR officer
edits. A cover page for the officer (timing, contents, method, substitute measures) comes first, then one letter a
person in roster order, each on its own page. Roster cells and file names are other people's text: a name is
masked and escaped as every writer escapes names, then every ASCII punctuation character is backslash-escaped, so
no cell can make a heading, a link, an autolink, an image or HTML; file names and masked numbers are code spans.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..names import readable, shown
from ..notify import Notification, Person, Place
from ..result import UNKNOWN_HOST
from ..rules import ItemRule
from .notice_words import (
    ITEM_HEADINGS,
    LAW,
    NOTICE_ITEMS,
    RULE,
    STDERR_LETTER_HINT,
    STDERR_SUBSTITUTE,
    STDERR_TIMING,
    TODO,
    WORDS,
)

PAGE_BREAK = '<div style="break-after: page; page-break-after: always"></div>'
_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
_BACKTICKS = re.compile(r"`+")


def markdown_text(text: str) -> str:
    """Text as Markdown that renders as exactly this text: every ASCII punctuation character backslash-escaped
    (CommonMark allows it for each), which leaves no emphasis, link, autolink, entity or HTML. GFM's bare
    ``www.``/``https://``/email autolinks need their ``.``, ``:`` or ``@`` unescaped, so they cannot form either."""
    return _PUNCTUATION.sub(r"\\\1", text.replace("\n", " ").replace("\r", " "))


def markdown_code(text: str) -> str:
    """Text as a code span, fenced by more backticks than any run inside it: nothing in it is markup."""
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text.replace(chr(10), ' ').replace(chr(13), ' ')}{pad}{fence}"


def guidance(notification: Notification, lang: str) -> dict[str, Any]:
    """What 規則第5条 asks of the notice, for the json summary: basis, timing, items, method, and the substitute
    measures when people found are not in the roster (``None`` when everyone is)."""
    w = WORDS[lang]
    missing = len(notification.not_in_roster)
    return {
        "basis": [LAW[lang], f"{RULE[lang]} 第5条" if lang == "ja" else f"{RULE[lang]}, Article 5"],
        "required_when": w["when_required"],
        "timing": w["timing"],
        "timing_judgement": w["timing_judgement"],
        "contents": w["contents"],
        "items": [{"rule_item": item, "heading": ITEM_HEADINGS[lang][item]} for item in NOTICE_ITEMS],
        "method": w["method"],
        "not_in_roster": missing,
        "substitute_measures": w["substitute"].format(count=missing) if missing else None,
    }


def stderr_lines(notification: Notification, letters: bool) -> list[str]:
    """The guidance printed beside the counts (pointing to ``--letter`` when the letters were not asked for)."""
    lines = [STDERR_TIMING + ("" if letters else STDERR_LETTER_HINT)]
    if notification.not_in_roster:
        lines.append(STDERR_SUBSTITUTE.format(count=len(notification.not_in_roster)))
    return lines


def render_letters(notification: Notification, items: Sequence[ItemRule], lang: str = "ja") -> str:
    """The cover page, one draft notice a person found in the roster, and, when people found are not in the
    roster, a draft of the substitute measure (a public notice with an inquiry desk), separated by page breaks."""
    labels = {item.item_id: item.label_ja if lang == "ja" else item.label_en for item in items}
    pages = [_cover(notification, lang)]
    pages += [_letter(person, labels, lang) for person in notification.matched]
    if notification.not_in_roster:
        pages.append(_public_notice(notification, labels, lang))
    return f"\n\n{PAGE_BREAK}\n\n".join(pages) + "\n"


def _cover(notification: Notification, lang: str) -> str:
    w, todo = WORDS[lang], TODO[lang]
    bullets = [w["when_required"], w["timing"], w["timing_judgement"], w["contents"], w["method"],
               w["fill_in"].format(todo=todo), w["masked"], w["places"],
               w["letters_count"].format(count=len(notification.matched)) if notification.matched
               else w["no_letters"]]
    if notification.not_in_roster:
        bullets += [w["substitute"].format(count=len(notification.not_in_roster)), w["substitute_page"]]
    return "\n".join([f"# {w['document']} ({LAW[lang]})", "", f"## {w['cover']}", "",
                      *(f"- {bullet}" for bullet in bullets)])


def _letter(person: Person, labels: dict[str, str], lang: str) -> str:
    w, todo = WORDS[lang], TODO[lang]
    name = markdown_text(shown(person.name)) if person.name else w["name_todo"].format(todo=todo)
    places = [f"- {markdown_code(_readable_place(place, person.several_hosts))}"
              + (w["summary.public"] if place in person.public_places else "") for place in person.places]
    summary = [w["summary.found"].format(masked=markdown_code(person.masked)), "", *places]
    head = [w["dear"].format(name=name), "", w["date_sender"].format(todo=todo), "", f"## {w['title']}", "",
            w["opening"], ""]
    return "\n".join(head + _items(summary, person.items, labels, w["desk.todo"].format(todo=todo), lang))


def _readable_place(place: Place, with_host: bool) -> str:
    """A file as a person reads it (names decoded, numbers in them masked), after its host when the scan covers
    several (the same path on two servers is two copies)."""
    path = readable(place.path)
    if not with_host:
        return path
    return f"{readable(place.host) if place.host is not None else UNKNOWN_HOST}:{path}"


def _public_notice(notification: Notification, labels: dict[str, str], lang: str) -> str:
    """The substitute measure's draft: the incident made public, with a desk where a person can ask whether
    they are affected. It names no file and no person: the items are those found with anyone's number."""
    w, todo = WORDS[lang], TODO[lang]
    everyone = [*notification.matched, *notification.not_in_roster]
    items = tuple(sorted({item for person in everyone for item in person.items}))
    summary = [w["public.found"].format(count=len(everyone))]
    desk = f"{w['public.desk'].format(todo=todo)}\n- {w['public.identity'].format(todo=todo)}"
    head = [f"# {w['public.heading']}", "", w["date_sender"].format(todo=todo), "", f"## {w['title']}", "",
            w["public.opening"], ""]
    return "\n".join(head + _items(summary, items, labels, desk, lang))


def _items(summary: list[str], items: Sequence[str], labels: dict[str, str], desk: str, lang: str) -> list[str]:
    """The body of a notice: items 1, 2, 4, 5 and 9 of 規則第3条第1項 under the rule's headings, what the scan
    knows filled in, what only the organisation knows marked, and the closing."""
    w, todo, heading = WORDS[lang], TODO[lang], ITEM_HEADINGS[lang]
    joiner = "、" if lang == "ja" else ", "
    in_rules_order = [i for i in labels if i in items] + [i for i in items if i not in labels]
    found_items = joiner.join([w["my_number"], *(markdown_text(labels.get(i, i)) for i in in_rules_order)])
    sections = {
        1: [*summary, "", w["summary.todo"].format(todo=todo)],
        2: [w["items.found"].format(items=found_items), "", w["items.todo"].format(todo=todo)],
        4: [w["cause.todo"].format(todo=todo)],
        5: [w["secondary.todo"].format(todo=todo)],
        9: [f"- {w['measures.todo'].format(todo=todo)}", f"- {w['change_number']}", f"- {w['beware']}",
            f"- {desk}"],
    }
    lines = []
    for number, item in enumerate(NOTICE_ITEMS, start=1):
        lines += [f"### {number}. {heading[item]}", "", *sections[item], ""]
    return [*lines, w["closing"]]
