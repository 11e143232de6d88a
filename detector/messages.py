"""What the tool says to a person, in English and in Japanese: the one catalogue of the command line's own
messages and of the library's errors, by key.

The language follows the locale as POSIX orders it (``LC_ALL``, then ``LC_MESSAGES``, then ``LANG``; ``ja_JP.UTF-8``
→ ``ja``, anything else → ``en``). A library error keeps its words unmade: it is raised with a :class:`Text` (a key
and the values to put in), ``str()`` of the error is always the English (what a program, a log or a test compares),
and the command line shows :meth:`detector.errors.MyNumberToolError.localized`, the user's language. The values
put in (a path, an OS error's ``strerror``, a problem found in a rules file) stay as they are. An error raised with
a plain string (the few whose words are not in the catalogue yet) is shown in English in both languages.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

LANGUAGES = ("ja", "en")


def language(environ: Mapping[str, str] = os.environ) -> str:
    """``ja`` or ``en`` from the locale variables, the first set of LC_ALL, LC_MESSAGES, LANG (POSIX order)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


@dataclass(frozen=True)
class Text:
    """A message not yet put into words: its key in :data:`MESSAGES` and the values it takes (a value may be a
    :class:`Text` itself, put into words in the same language)."""

    key: str
    values: Mapping[str, object]

    def words(self, lang: str = "en") -> str:
        values = {name: value.words(lang) if isinstance(value, Text) else value for name, value in self.values.items()}
        return MESSAGES[lang][self.key].format(**values)

    def __str__(self) -> str:
        return self.words("en")


def text(key: str, /, **values: object) -> Text:
    """The message ``key`` with ``values``, to raise (``raise UsageError(text("key", path=path))``); a value may be
    named ``key`` too."""
    return Text(key, values)


def either(choices: Sequence[str]) -> str | Text:
    """``choices`` joined by "or" in the language the message is put into (``apache or nginx``, ``apache か
    nginx``): a value for a message naming what may be given."""
    joined: str | Text = choices[0]
    for choice in choices[1:]:
        joined = Text("or", {"first": joined, "second": choice})
    return joined


def message(key: str, lang: str | None = None, /, **values: str) -> str:
    """The message ``key`` in ``lang`` (default: the locale's) with ``values`` put in."""
    return MESSAGES[lang or language()][key].format(**values)


MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        # the command line's own (detector.cli)
        "error": "mynumber: error: {message}",
        "interrupted": "mynumber: interrupted",
        "internal": "internal error: {detail}",
        "reveal_needs_output": "--reveal writes raw numbers only into a file: give --output FILE",
        "nothing_to_scan": "give a PATH to scan, or --files-from FILE",
        "reveal_not_with_dask": "--reveal cannot be used with --dask (the raw numbers would sit in the workers' "
                                "memory, which Dask may spill to disk): scan the files found again locally with "
                                "--reveal",
        "path_map_needs_dask": "--path-map maps folders for the workers of --dask: give --dask ADDRESS",
        "not_a_folder": "{path}: not a folder (watch follows folders; scan a single file with mynumber scan)",
        # the library's errors (detector.errors), by module
        "located": "{where}: {problem}",
        "baseline.unreadable": "{name}: cannot read the baseline: {reason}",
        "not_json": "{name}: not a json document ({error})",
        "baseline.other_key": "{name}: the baseline was made with the fingerprint key {baseline_key}, this scan uses "
                              "{key}; scan with the same --key-file or MYNUMBER_KEY, or make the baseline again",
        "baseline.needs_reason": "{count} findings need a reason to be accepted: give --reason TEXT (then edit each "
                                 "entry's reason in the file if they differ)",
        "baseline.empty_reason": "--reason: give the reason the findings are accepted (it cannot be empty)",
        "public.missing": "--public {path}: no such file or folder (it decides whether numbers are in a public place, "
                          "so it must name one)",
        "public.outside": "--public {path}: not under any folder scanned, so it could make nothing public (give it "
                          "with the folder that holds it, or fix the path)",
        "key.unreadable": "{path}: cannot read the fingerprint key: {reason}",
        "key.empty": "{path}: the fingerprint key file is empty",
        "key.cannot_create": "{path}: cannot create the fingerprint key ({reason}); give one with --key-file or "
                             "{variable}",
        "sample.other_key": "{source}: sample {sample!r}: its fingerprint was made with the key {sample_key}, this "
                            "scan uses {key}; take the fingerprint from a scan made with this key",
        "what.output": "the output",
        "what.events": "the events",
        "output.symlink": "{path}: is a symbolic link; {what} is never written through one (the link could point at "
                          "any file): give the path of a regular file, or remove the link",
        "output.cannot_write": "{path}: cannot write {what}: {reason}",
        "output.changed": "{path}: changed while being opened; not written",
        "output.hard_links": "{path}: has other hard links; {what} is never appended to such a file (it is another "
                             "file as well): give a new path",
        "exclude.bad_glob": "--exclude {glob!r}: bad glob: {error}",
        "root.missing": "{root}: no such file or folder; the scan cannot run",
        "root.unreadable": "{root}: cannot be read ({reason}); the scan cannot run",
        "include.bad_glob": "--include {glob!r}: bad glob: {error}",
        "shard.syntax": "--shard {value!r}: expected K/N, such as 1/3 (this host's share of 3)",
        "shard.range": "--shard {value!r}: K must be between 1 and N",
        "files_from.unreadable": "--files-from {name}: cannot be read ({reason})",
        "files_from.stdin_twice": "--files-from - and the root - both read standard input; give one of them",
        "merge.nothing": "merge needs at least one scan document",
        "merge.other_keys": "the scans were made with different fingerprint keys, so their people cannot be matched; "
                            "scan again with the same --key-file or MYNUMBER_KEY",
        "document.unreadable": "{name}: cannot read: {reason}",
        "config.unknown_key": "{name}: unknown key {key!r} (no command has the option --{key})",
        "config.unknown_table": "{name}: unknown table [{table}] (the commands are {commands})",
        "config.unknown_command_key": "{name}: [{table}] unknown key {key!r} (mynumber {table} has no option --{key})",
        "config.missing": "--config {name}: no such file",
        "config.writable_by_others": "{name}: refused: a configuration file must be writable only by its owner, you "
                                     "or root (it decides what the scan looks at)",
        "config.not_toml": "{name}: not valid TOML: {error}",
        "config.give_bool": "{where}: give true or false",
        "config.give_list": "{where}: give a list, such as [\"a\", \"b\"]",
        "config.give_single": "{where}: give a single {kind} value",
        "config.give_count": "{where}: give a whole number >= 0",
        "discovered.bad_date": "--discovered {date!r}: give the date as YYYY-MM-DD",
        "notify.letter_or_format": "--letter writes Markdown letters; --format chooses the table's format: give one",
        "notify.name_needs_letter": "--name-column addresses the letters: use it with --letter",
        "notify.xlsx_needs_output": "--format xlsx writes a workbook: give --output FILE",
        "roster.no_column": "no column {column!r} in the roster (columns: {columns})",
        "roster.unreadable": "{path}: cannot read the roster: {reason}",
        "roster.empty": "{path}: the roster is empty",
        "roster.not_xlsx": "{path}: not a readable xlsx roster ({error})",
        "roster.other_key": "the scan was made with another fingerprint key: give the same --key-file or MYNUMBER_KEY "
                            "as for the scan",
        "roster.name_is_number": "--name-column names the My Number column: give the columns of the name",
        "metrics.bad_address": "--metrics {address!r}: give ADDR:PORT, e.g. 127.0.0.1:9808 (a port from 0 to 65535)",
        "metrics.cannot_listen": "--metrics {address}: cannot listen there ({reason})",
        "metrics.no_client": "--metrics needs the Prometheus client: pip install 'mynumber-scan[metrics]' "
                             "(prometheus-client)",
        "scan_document.malformed": "{name}: malformed scan document ({error})",
        "rules.not_a_folder": "is not a folder of rules files",
        "rules.unknown_file": "unknown rules file; expected one of {files}",
        "rules.unreadable": "cannot be read: {error}",
        "rules.not_toml": "not valid TOML: {error}",
        "rules.schema": "needs `schema = {schema}` (found {found!r})",
        "rules.entries_tables": "[[{key}]] entries must be tables",
        "rules.entry_needs_id": "[[{key}]] entry {index} needs an `id` string",
        "rules.unknown_setting": "unknown setting `{key}`",
        "rules.unknown_named_setting": "unknown setting {setting}",
        "rules.entry": "{kind} {id!r}: {problem}",
        "rules.needs_key": "needs `{key}` ({type})",
        "rules.fingerprint_hex": "fingerprint must be 64 hex digits, as a scan's json gives it",
        "rules.key_id_hex": "key_id must be 16 hex digits (the scan's scan.key_id)",
        "rules.sample_invalid": "number is not a valid My Number: {error}",
        "rules.separators_chars": "candidate.separators must be a list of single characters",
        "rules.separators_digits": "candidate.separators must not contain digits",
        "rules.window": "window.before and window.after must be whole numbers from 0 to {most}",
        "rules.needs_terms": "needs `terms`, a list of non-empty strings",
        "rules.bad_glob": "bad glob: {error}",
        "rules.rule_item": "`rule_item` must be a whole number >= 1",
        "rules.confirmed_metric": "`confirmed_metric` needs `metric` and must be one of {metrics}",
        "rules.needs_agents": "needs `agents`, a list of non-empty strings",
        "rules.search_index": "`search_index` must be true or false",
        "rules.declared_no_metric": "a declared trigger takes no `metric` nor `more_than`",
        "rules.metric_choice": "metric must be one of {metrics}",
        "rules.needs_more_than": "needs `more_than`, a whole number >= 0",
        "rules.whole_number": "{setting} must be a whole number >= 1",
        "scan_document.refused": "{name}: {field}: {problem}; the document was not written by mynumber as it is "
                                 "(edited or damaged?), so it is not used",
        # detector.access (mynumber exposure; a log is named as reading.log_label names it: masked, escaped)
        "exposure.bad_network": "--internal {value!r}: give a network as CIDR, e.g. 192.0.2.0/24 or 2001:db8::/32",
        "url_map.syntax": "--url-map {value!r}: give LOCAL_ROOT=URL_PREFIX, e.g. /var/www/html=https://example.jp/",
        "url_map.query": "--url-map {value!r}: the URL prefix takes no query string nor fragment",
        "access_log.no_match": "--access-log {pattern!r}: no file matches",
        "access_log.stdin": "standard input",
        "access_log.unreadable": "{name}: cannot read the access log: {reason}",
        "access_log.damaged": "{name}: the access log is damaged or cut short ({error})",
        "access_log.unknown_format": "{name}: not an access log in a known format (nginx or Apache combined or "
                                     "common, IIS W3C extended, or JSON lines)",
        "exposure.time_not_text": "{where}: a time must be an RFC 3339 string",
        "exposure.bad_time": "{where}: {value!r} is not an RFC 3339 time",
        "exposure.malformed": "{name}: not the json of mynumber exposure ({error})",
        "exposure.other_schema": "{name}: not the json of mynumber exposure (schema {schema} expected)",
        "exposure.other_key": "{name}: made from a scan with another key ({evidence_key}, the scans' is {key})",
        # detector.contain (mynumber quarantine; paths given as names.shown gives them)
        "or": "{first} or {second}",
        "quarantine.restore_alone": "--restore MANIFEST puts a quarantine back: give no SCAN.json, --to or --apply",
        "quarantine.needs_scan_and_target": "give SCAN.json and --to DIR (or --restore MANIFEST)",
        "placeholder.unknown": "--placeholder {kinds}: use {choices}",
        "placeholder.needs_url_map": "--placeholder needs --url-map LOCAL_ROOT=URL_PREFIX: which URL each file was "
                                     "served under",
        "quarantine.target_in_root": "--to {path}: inside the scanned root {root}: the files would stay where the "
                                     "scan looks (in a web root, where the server may serve them); choose a folder "
                                     "outside every root",
        "quarantine.target_not_folder": "--to {path}: not a folder (a symbolic link or a file)",
        "quarantine.target_other_owner": "--to {path}: owned by another user (uid {uid})",
        "quarantine.target_writable": "--to {path}: others may write to it (mode {mode})",
        "quarantine.cannot_create": "{path}: cannot create the quarantine folder: {reason}",
        "quarantine.bad_start": "{name}: the scan's start time is missing or unreadable ({error})",
        "quarantine.other_key": "{name}: the scan was made with key {scan_key}, this key is {key}: give the scan's "
                                "key (--key-file or MYNUMBER_KEY) so its findings can be checked again",
        "manifest.other_schema": "{path}: not a quarantine manifest ({schema} expected)",
        "manifest.malformed": "{path}: malformed manifest ({error})",
        "manifest.unreadable": "{path}: cannot read the manifest: {reason}",
        # detector.api and the configuration's own command
        "api.path_map_needs_dask": "path_map maps folders for the workers of dask: give dask too",
        "config.no_such_command": "no command {command!r} has options to configure ({commands})",
        # detector.dask_scan: what the workers' values put in are addresses, versions and key ids, never a key
        "dask.missing": "--dask needs Dask's distributed package, here and on the workers: "
                        "pip install 'mynumber-scan[dask]'",
        "dask.path_map": "--path-map {spec}: give LOCAL=REMOTE, REMOTE an absolute path on the workers",
        "dask.unreachable": "cannot reach the Dask scheduler at {address}: {error}",
        "dask.no_worker": "no Dask worker joined the scheduler at {address} within {seconds} s",
        "dask.cannot_set_up": "the scan cannot be set up on the Dask workers ({error}): every worker needs "
                              "mynumber-scan[dask], the client's version",
        "dask.gave_up": "Dask gave a batch up: each worker that took it died ({error}); a file in it may crash the "
                        "reader: scan its folder with -v on one machine",
        "dask.scheduler_lost": "the Dask scheduler at {address} was lost during the scan: {error}",
        "workers.none_left": "every worker process stopped ({how}) and the system gave no process to start in "
                             "their place: scan again with fewer --jobs",
        "dask.refuses": "Dask worker {worker} refuses to scan: {why}",
        "dask.also": "{first}; {rest}",
        "dask.not_set_up": "the scan's set-up did not reach it",
        "dask.other_version": "it runs mynumber {version}, the client {client_version}: install the same version on "
                              "every host",
        "dask.no_key": "no fingerprint key ({error}); set MYNUMBER_KEY or the key file on the workers",
        "dask.other_key": "its fingerprint key (id {key_id}) is not the scan's (id {scan_key_id}): give every worker "
                          "the client's key (MYNUMBER_KEY or the key file), or people would be miscounted",
    },
    "ja": {
        "error": "mynumber: エラー: {message}",
        "interrupted": "mynumber: 中断しました",
        "internal": "内部エラー: {detail}",
        "reveal_needs_output": "--reveal は番号そのものをファイルにだけ書きます: --output FILE を指定してください",
        "nothing_to_scan": "スキャンする PATH か --files-from FILE を指定してください",
        "reveal_not_with_dask": "--reveal は --dask と併用できません(番号そのものがワーカーのメモリに置かれ、Dask が"
                                "ディスクに退避することがあります): 見つかったファイルをこのマシンで --reveal を付けて"
                                "スキャンし直してください",
        "path_map_needs_dask": "--path-map は --dask のワーカー用のフォルダの対応です: --dask ADDRESS を指定して"
                               "ください",
        "not_a_folder": "{path}: フォルダではありません(watch はフォルダを監視します。一つのファイルは mynumber scan "
                        "でスキャンしてください)",
        "located": "{where}: {problem}",
        "baseline.unreadable": "{name}: ベースラインを読めません: {reason}",
        "not_json": "{name}: json の文書ではありません({error})",
        "baseline.other_key": "{name}: このベースラインはフィンガープリントの鍵 {baseline_key} で作られ、この"
                              "スキャンは {key} を使っています。同じ --key-file か MYNUMBER_KEY でスキャンするか、"
                              "ベースラインを作り直してください",
        "baseline.needs_reason": "{count} 件の検出の承認には理由が必要です: --reason TEXT を指定してください(理由が"
                                 "異なるものは、その後ファイルの各エントリで直してください)",
        "baseline.empty_reason": "--reason: 検出を承認する理由を書いてください(空にはできません)",
        "public.missing": "--public {path}: そのようなファイルもフォルダもありません(番号が公開の場所にあるかを決める"
                          "ので、実在する場所を指定してください)",
        "public.outside": "--public {path}: スキャンするどのフォルダの下にもないため、何も公開の場所にできません(それを"
                          "含むフォルダと一緒に指定するか、パスを直してください)",
        "key.unreadable": "{path}: フィンガープリントの鍵を読めません: {reason}",
        "key.empty": "{path}: フィンガープリントの鍵のファイルが空です",
        "key.cannot_create": "{path}: フィンガープリントの鍵を作れません({reason})。--key-file か {variable} で"
                             "指定してください",
        "sample.other_key": "{source}: サンプル {sample!r}: そのフィンガープリントは鍵 {sample_key} で作られ、この"
                            "スキャンは {key} を使っています。この鍵で作ったスキャンからフィンガープリントを取って"
                            "ください",
        "what.output": "出力",
        "what.events": "イベントの出力",
        "output.symlink": "{path}: シンボリックリンクです。{what}はリンク越しには書きません(リンクはどのファイルも"
                          "指せるため): 通常のファイルのパスを指定するか、リンクを削除してください",
        "output.cannot_write": "{path}: {what}を書けません: {reason}",
        "output.changed": "{path}: 開く間に変わりました。書いていません",
        "output.hard_links": "{path}: 他のハードリンクがあります。{what}はそのようなファイル(別のファイルでもある)"
                             "には追記しません: 新しいパスを指定してください",
        "exclude.bad_glob": "--exclude {glob!r}: グロブが正しくありません: {error}",
        "root.missing": "{root}: そのようなファイルもフォルダもありません。スキャンできません",
        "root.unreadable": "{root}: 読めません({reason})。スキャンできません",
        "include.bad_glob": "--include {glob!r}: グロブが正しくありません: {error}",
        "shard.syntax": "--shard {value!r}: K/N の形で指定してください(例: 1/3 は 3 台のうちこのホストの分)",
        "shard.range": "--shard {value!r}: K は 1 から N までです",
        "files_from.unreadable": "--files-from {name}: 読めません({reason})",
        "files_from.stdin_twice": "--files-from - とパス - がどちらも標準入力を読みます。どちらか一方にしてください",
        "merge.nothing": "merge にはスキャンの文書が一つ以上必要です",
        "merge.other_keys": "スキャンごとにフィンガープリントの鍵が異なるため、本人を突き合わせられません。同じ "
                            "--key-file か MYNUMBER_KEY でスキャンし直してください",
        "document.unreadable": "{name}: 読めません: {reason}",
        "config.unknown_key": "{name}: 未知のキー {key!r} です(オプション --{key} を持つコマンドはありません)",
        "config.unknown_table": "{name}: 未知の表 [{table}] です(コマンドは {commands})",
        "config.unknown_command_key": "{name}: [{table}] 未知のキー {key!r} です(mynumber {table} にオプション "
                                      "--{key} はありません)",
        "config.missing": "--config {name}: そのようなファイルはありません",
        "config.writable_by_others": "{name}: 使いません: 設定ファイルは所有者(あなたか root)だけが書き込めるもので"
                                     "なければなりません(スキャンが何を見るかを決めるため)",
        "config.not_toml": "{name}: 正しい TOML ではありません: {error}",
        "config.give_bool": "{where}: true か false を指定してください",
        "config.give_list": "{where}: [\"a\", \"b\"] のようなリストを指定してください",
        "config.give_single": "{where}: {kind} の値を一つ指定してください",
        "config.give_count": "{where}: 0 以上の整数を指定してください",
        "discovered.bad_date": "--discovered {date!r}: 日付は YYYY-MM-DD の形で指定してください",
        "notify.letter_or_format": "--letter は Markdown の通知文を書き、--format は表の形式を選びます: どちらか一方を"
                                   "指定してください",
        "notify.name_needs_letter": "--name-column は通知文の宛名です: --letter と一緒に指定してください",
        "notify.xlsx_needs_output": "--format xlsx はブックを書きます: --output FILE を指定してください",
        "roster.no_column": "名簿に列 {column!r} がありません(列: {columns})",
        "roster.unreadable": "{path}: 名簿を読めません: {reason}",
        "roster.empty": "{path}: 名簿が空です",
        "roster.not_xlsx": "{path}: 読める xlsx の名簿ではありません({error})",
        "roster.other_key": "スキャンは別のフィンガープリントの鍵で作られています: スキャンと同じ --key-file か "
                            "MYNUMBER_KEY を指定してください",
        "roster.name_is_number": "--name-column が個人番号の列を指しています: 氏名の列を指定してください",
        "metrics.bad_address": "--metrics {address!r}: ADDR:PORT の形で指定してください(例: 127.0.0.1:9808。"
                               "ポートは 0 から 65535)",
        "metrics.cannot_listen": "--metrics {address}: そこで待ち受けられません({reason})",
        "metrics.no_client": "--metrics には Prometheus のクライアントが必要です: pip install "
                             "'mynumber-scan[metrics]' (prometheus-client)",
        "scan_document.malformed": "{name}: スキャンの文書の形が正しくありません({error})",
        "rules.not_a_folder": "ルールファイルのフォルダではありません",
        "rules.unknown_file": "未知のルールファイルです。{files} のどれかにしてください",
        "rules.unreadable": "読めません: {error}",
        "rules.not_toml": "正しい TOML ではありません: {error}",
        "rules.schema": "`schema = {schema}` が必要です({found!r} でした)",
        "rules.entries_tables": "[[{key}]] の各エントリは表でなければなりません",
        "rules.entry_needs_id": "[[{key}]] の {index} 番目のエントリに文字列の `id` が必要です",
        "rules.unknown_setting": "未知の設定 `{key}` です",
        "rules.unknown_named_setting": "未知の設定 {setting} です",
        "rules.entry": "{kind} {id!r}: {problem}",
        "rules.needs_key": "`{key}` ({type}) が必要です",
        "rules.fingerprint_hex": "fingerprint はスキャンの json にあるとおりの 16 進 64 桁でなければなりません",
        "rules.key_id_hex": "key_id は 16 進 16 桁(スキャンの scan.key_id)でなければなりません",
        "rules.sample_invalid": "number が有効な個人番号ではありません: {error}",
        "rules.separators_chars": "candidate.separators は一文字ずつのリストでなければなりません",
        "rules.separators_digits": "candidate.separators に数字は使えません",
        "rules.window": "window.before と window.after は 0 から {most} までの整数でなければなりません",
        "rules.needs_terms": "`terms` (空でない文字列のリスト)が必要です",
        "rules.bad_glob": "グロブが正しくありません: {error}",
        "rules.rule_item": "`rule_item` は 1 以上の整数でなければなりません",
        "rules.confirmed_metric": "`confirmed_metric` には `metric` が必要で、{metrics} のどれかでなければなりません",
        "rules.needs_agents": "`agents` (空でない文字列のリスト)が必要です",
        "rules.search_index": "`search_index` は true か false でなければなりません",
        "rules.declared_no_metric": "申告するトリガーには `metric` も `more_than` も指定しません",
        "rules.metric_choice": "metric は {metrics} のどれかでなければなりません",
        "rules.needs_more_than": "`more_than` (0 以上の整数)が必要です",
        "rules.whole_number": "{setting} は 1 以上の整数でなければなりません",
        "scan_document.refused": "{name}: {field}: {problem}。この文書は mynumber が書いたままのものではない(編集"
                                 "または破損?)ため、使いません",
        "exposure.bad_network": "--internal {value!r}: ネットワークを CIDR の形で指定してください(例: 192.0.2.0/24、"
                                "2001:db8::/32)",
        "url_map.syntax": "--url-map {value!r}: LOCAL_ROOT=URL_PREFIX の形で指定してください(例: "
                          "/var/www/html=https://example.jp/)",
        "url_map.query": "--url-map {value!r}: URL_PREFIX にクエリ文字列やフラグメントは付けられません",
        "access_log.no_match": "--access-log {pattern!r}: 一致するファイルがありません",
        "access_log.stdin": "標準入力",
        "access_log.unreadable": "{name}: アクセスログを読めません: {reason}",
        "access_log.damaged": "{name}: アクセスログが壊れているか、途中で切れています({error})",
        "access_log.unknown_format": "{name}: 対応している形式のアクセスログではありません(nginx・Apache の combined・"
                                     "common、IIS の W3C 拡張、JSON 行に対応しています)",
        "exposure.time_not_text": "{where}: 時刻は RFC 3339 の文字列でなければなりません",
        "exposure.bad_time": "{where}: {value!r} は RFC 3339 の時刻ではありません",
        "exposure.malformed": "{name}: mynumber exposure の json ではありません({error})",
        "exposure.other_schema": "{name}: mynumber exposure の json ではありません(schema {schema} を想定しています)",
        "exposure.other_key": "{name}: 別のフィンガープリントの鍵 {evidence_key} のスキャンから作られています(これらの"
                              "スキャンの鍵は {key})",
        "or": "{first} か {second}",
        "quarantine.restore_alone": "--restore MANIFEST は隔離したファイルを元に戻します: SCAN.json、--to、--apply は"
                                    "指定しないでください",
        "quarantine.needs_scan_and_target": "SCAN.json と --to DIR を指定してください(戻すときは --restore MANIFEST)",
        "placeholder.unknown": "--placeholder {kinds}: {choices} を指定してください",
        "placeholder.needs_url_map": "--placeholder には --url-map LOCAL_ROOT=URL_PREFIX が必要です(各ファイルが"
                                     "どの URL で公開されていたか)",
        "quarantine.target_in_root": "--to {path}: スキャンしたルート {root} の中です。ファイルがスキャン対象の場所"
                                     "(Web ルートならサーバが公開しうる場所)に残ってしまいます: どのルートにも"
                                     "含まれないフォルダを指定してください",
        "quarantine.target_not_folder": "--to {path}: フォルダではありません(シンボリックリンクかファイルです)",
        "quarantine.target_other_owner": "--to {path}: 他のユーザーが所有しています(uid {uid})",
        "quarantine.target_writable": "--to {path}: 他のユーザーが書き込めます(モード {mode})",
        "quarantine.cannot_create": "{path}: 隔離フォルダを作れません: {reason}",
        "quarantine.bad_start": "{name}: スキャンの開始時刻がないか、読めません({error})",
        "quarantine.other_key": "{name}: このスキャンはフィンガープリントの鍵 {scan_key} で作られ、指定の鍵は {key} "
                                "です。検出を読み直して確かめるため、スキャンと同じ鍵を --key-file か MYNUMBER_KEY "
                                "で指定してください",
        "manifest.other_schema": "{path}: 隔離のマニフェストではありません({schema} を想定しています)",
        "manifest.malformed": "{path}: マニフェストの形が正しくありません({error})",
        "manifest.unreadable": "{path}: マニフェストを読めません: {reason}",
        "api.path_map_needs_dask": "path_map は dask のワーカー用のフォルダの対応です: dask も指定してください",
        "config.no_such_command": "{command!r} というコマンドには設定できるオプションがありません(コマンドは "
                                  "{commands})",
        "dask.missing": "--dask には Dask の distributed パッケージが、このホストとワーカーの両方で必要です: "
                        "pip install 'mynumber-scan[dask]'",
        "dask.path_map": "--path-map {spec}: LOCAL=REMOTE の形で、REMOTE はワーカー上の絶対パスで指定してください",
        "dask.unreachable": "Dask スケジューラ {address} に接続できません: {error}",
        "dask.no_worker": "{seconds} 秒待ちましたが、スケジューラ {address} に Dask ワーカーが参加しませんでした",
        "dask.cannot_set_up": "Dask ワーカーにスキャンを準備できません({error}): すべてのワーカーに、クライアントと"
                              "同じ版の mynumber-scan[dask] が必要です",
        "dask.gave_up": "Dask がバッチを諦めました: 引き受けたワーカーがすべて停止しました({error})。中のファイル"
                        "が読み取り処理を落としている可能性があります: そのフォルダを 1 台で -v を付けてスキャンして"
                        "ください",
        "dask.scheduler_lost": "スキャン中に Dask スケジューラ {address} との接続が失われました: {error}",
        "workers.none_left": "ワーカープロセスがすべて停止し({how})、代わりのプロセスをシステムから得られませんでした: "
                             "--jobs を減らしてもう一度スキャンしてください",
        "dask.refuses": "Dask ワーカー {worker} はスキャンを拒否しました: {why}",
        "dask.also": "{first}。{rest}",
        "dask.not_set_up": "スキャンの準備がこのワーカーに届いていません",
        "dask.other_version": "このワーカーは mynumber {version}、クライアントは {client_version} です: すべての"
                              "ホストに同じ版を入れてください",
        "dask.no_key": "指紋の鍵がありません({error})。ワーカーに MYNUMBER_KEY か鍵ファイルを設定してください",
        "dask.other_key": "このワーカーの指紋の鍵(ID {key_id})はスキャンの鍵(ID {scan_key_id})と違います: すべての"
                          "ワーカーにクライアントの鍵(MYNUMBER_KEY か鍵ファイル)を渡してください。そうしないと人数を"
                          "数え違えます",
    },
}
