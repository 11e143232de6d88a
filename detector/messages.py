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
from collections.abc import Mapping
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
    },
}
