"""The words of the incident report's access-log section (``report --exposure``), in Japanese and English, and
the hints it gives the PPC draft: when the leak happened at the latest (the first fetch from outside) and what
the logs say of secondary damage. Shared by the HTML, Markdown and json renderers, like
:mod:`detector.report.incident_words`.

The evidence is what the access logs show, nothing more: a request's user agent is what the client claimed, and
fetches older than the logs kept are unknown; the sentences say so, and leave the rest for a person to write.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from ..access import ExposureEvidence, FileEvidence
from ..access.urls import shown_url
from ..names import readable

JST = dt.timezone(dt.timedelta(hours=9), "JST")

WORDS: dict[str, dict[str, str]] = {
    "ja": {
        "heading": "アクセスログの確認結果(mynumber exposure)",
        "summary": "個人番号を含む公開ファイル{files:,}件のうち、外部から取得されたファイル: {fetched:,}件"
                   "(その本人の数: {people:,}人、外部の接続元: {clients:,}件)。",
        "first": "外部からの最初の取得: {first}、最後の取得: {last}。",
        "crawlers": "検索エンジン等のクローラ(ユーザーエージェントによる): {names}。"
                    "検索結果やキャッシュに残っているおそれがあります"
                    "(URLの削除後、各検索エンジンに削除を依頼してください)。",
        "no_fetch": "アクセスログの範囲では、外部からの取得は見つかりませんでした"
                    "(ログの保存期間より前のことは分かりません)。",
        "logs": "確認したログ: {logs}(読み飛ばした不正な行: {malformed:,}行)。",
        "unmapped": "URLに対応付けられなかった公開ファイル(--url-map を指定してください): {count:,}件。",
        "clients_note": "接続元IPアドレスも個人情報であるため件数のみを示しています(一覧は --show-clients)。",
        "col.url": "URL",
        "col.people": "本人の数",
        "col.external": "外部からの取得(回)",
        "col.clients": "外部の接続元(件)",
        "col.first": "最初の外部取得",
        "col.last": "最後の外部取得",
        "col.bytes": "送信バイト数",
        "col.crawlers": "クローラ",
        "col.addresses": "外部の接続元IPアドレス",
        "none": "なし",
        "source": "アクセスログ(mynumber exposure)",
    },
    "en": {
        "heading": "Access logs (mynumber exposure)",
        "summary": "Of {files:,} public files with My Numbers, {fetched:,} were fetched from outside "
                   "({people:,} people in them, {clients:,} external clients).",
        "first": "First fetch from outside: {first}; last: {last}.",
        "crawlers": "Crawlers of search engines and others (by user agent): {names}. The files may be in their "
                    "results or caches (after removing the URLs, ask each search engine to drop them).",
        "no_fetch": "The access logs show no fetch from outside (what happened before the logs kept is unknown).",
        "logs": "Logs read: {logs} ({malformed:,} malformed lines skipped).",
        "unmapped": "Public files not mapped to a URL (give --url-map): {count:,}.",
        "clients_note": "Client addresses are personal data too: counts only (list them with --show-clients).",
        "col.url": "URL",
        "col.people": "People",
        "col.external": "Fetches from outside",
        "col.clients": "External clients",
        "col.first": "First external fetch",
        "col.last": "Last external fetch",
        "col.bytes": "Bytes sent",
        "col.crawlers": "Crawlers",
        "col.addresses": "External client addresses",
        "none": "none",
        "source": "the access logs (mynumber exposure)",
    },
}

COLUMNS = ("col.url", "col.people", "col.external", "col.clients", "col.first", "col.last", "col.bytes",
           "col.crawlers")


def moment(value: dt.datetime | None, lang: str) -> str:
    """A time for people: Japan time in Japanese, UTC in English; "-" when the log gave none."""
    if value is None:
        return "-"
    if lang == "ja":
        return value.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S JST")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


class Section(NamedTuple):
    """The section's sentences, its table (header and rows of cell texts), for any renderer to lay out."""

    heading: str
    sentences: list[str]
    header: list[str]
    rows: list[list[str]]


def section(evidence: ExposureEvidence, lang: str) -> Section:
    w = WORDS[lang]
    fetched = evidence.fetched
    sentences = [w["summary"].format(files=len(evidence.files), fetched=len(fetched),
                                     people=evidence.people_in_fetched_files, clients=evidence.external_clients)]
    if fetched:
        sentences.append(w["first"].format(first=moment(evidence.first_external_fetch, lang),
                                           last=moment(evidence.last_external_fetch, lang)))
    else:
        sentences.append(w["no_fetch"])
    if evidence.crawlers:
        sentences.append(w["crawlers"].format(names=_crawler_names(evidence, lang)))
    if evidence.unmapped:
        sentences.append(w["unmapped"].format(count=len(evidence.unmapped)))
    sentences.append(w["logs"].format(logs=", ".join(f"{readable(log.log)} ({log.format})" for log in evidence.logs)
                                      or "-", malformed=evidence.malformed_lines))
    if not evidence.shows_clients:
        sentences.append(w["clients_note"])
    header = [w[key] for key in COLUMNS] + ([w["col.addresses"]] if evidence.shows_clients else [])
    rows = [_row(file, evidence.shows_clients, lang) for file in evidence.files]
    return Section(w["heading"], sentences, header, rows)


def _row(file: FileEvidence, with_clients: bool, lang: str) -> list[str]:
    w = WORDS[lang]
    crawlers = ", ".join(f"{crawler.name} ({crawler.requests:,})" for crawler in file.crawlers) or w["none"]
    row = [shown_url(file.url), f"{file.people:,}", f"{file.external_requests:,}", f"{file.external_clients:,}",
           moment(file.first_external_fetch, lang), moment(file.last_external_fetch, lang), f"{file.bytes_sent:,}",
           crawlers]
    if with_clients:
        row.append(", ".join(file.clients or ()) or w["none"])
    return row


def _crawler_names(evidence: ExposureEvidence, lang: str) -> str:
    joiner = "、" if lang == "ja" else ", "
    return joiner.join(f"{crawler.name} ({crawler.files:,})" for crawler in evidence.crawlers)


def occurred_hint(evidence: ExposureEvidence | None, lang: str) -> str:
    """What the logs say of 発生日 (別添２ 3D ⑴ asks for the day it happened): the leak happened at the latest on
    the first fetch from outside; when the file was put there is for a person to find."""
    if evidence is None or evidence.first_external_fetch is None:
        return ""
    first = moment(evidence.first_external_fetch, lang)
    if lang == "ja":
        return f"(アクセスログによれば、遅くとも {first} には外部から取得されている。出典: {WORDS['ja']['source']})"
    return f" (by the access logs, fetched from outside by {first} at the latest; source: {WORDS['en']['source']})"


def secondary_text(evidence: ExposureEvidence, lang: str, todo: str) -> str:
    """規則第3条第1項第5号 (二次被害又はそのおそれの有無及びその内容; 別添２ 3D ⑸) as far as the logs show it: the
    files fetched from outside, by how many clients, the people in them, the crawlers (a search index is a way
    the numbers spread further); misuse is for the organisation to write."""
    w = WORDS[lang]
    fetched = evidence.fetched
    fetches = sum(f.external_requests for f in fetched)
    first = moment(evidence.first_external_fetch, lang)
    if lang == "ja":
        if fetched:
            text = (f"{w['source']}によると、個人番号を含む公開ファイル{len(evidence.files):,}件のうち"
                    f"{len(fetched):,}件が外部から取得されていた(外部からの取得{fetches:,}回、"
                    f"外部の接続元{evidence.external_clients:,}件、その本人の数{evidence.people_in_fetched_files:,}人、"
                    f"最初の取得 {first})。")
        else:
            text = f"{w['source']}の範囲では外部からの取得は確認されなかった(ログの保存期間より前は不明)。"
        if evidence.crawlers:
            text += (f"検索エンジン等のクローラ(ユーザーエージェントによる)が取得しており"
                     f"({_crawler_names(evidence, lang)})、検索結果・キャッシュに残っているおそれがある。")
        return text + f"不正利用の有無: {todo}"
    if fetched:
        text = (f"By {w['source']}, {len(fetched):,} of {len(evidence.files):,} public files with My Numbers were "
                f"fetched from outside ({fetches:,} fetches, "
                f"{evidence.external_clients:,} external clients, {evidence.people_in_fetched_files:,} people in "
                f"them, first on {first}). ")
    else:
        text = (f"By {w['source']}, no fetch from outside was found (before the logs kept, unknown). ")
    if evidence.crawlers:
        text += (f"Crawlers (by user agent) fetched them ({_crawler_names(evidence, lang)}): they may be in search "
                 "results and caches. ")
    return text + f"Misuse: {todo}"
