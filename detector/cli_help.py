"""The command line's help in the user's language, and its examples: each command's one-line summary (the command
list shows it whole, never cut at 45 characters), its ``Examples:`` epilog, and, under a Japanese locale, the
help of every command and option and the command line's own messages in Japanese.

The language is the report's two (``ja``, ``en``: :data:`detector.report.incident_words.WORDS`), chosen from the
locale as POSIX orders it (``LC_ALL``, then ``LC_MESSAGES``, then ``LANG``; ``ja_JP.UTF-8`` → ``ja``, anything
else → ``en``). The English help is the click definitions' own (the docstrings and ``help=`` of
:mod:`detector.cli`); the Japanese is here, keyed by command path and option (``scan``, ``scan --format``,
``config show``). An option without a Japanese text keeps its English one; ``tests/test_help.py`` lists any
such option, and any key here that no longer names one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import click

from . import messages as _messages
from .messages import LANGUAGES as LANGUAGES  # the locale's language, for the help as for the messages
from .messages import language as language

# -- the examples ---------------------------------------------------------------------------------------------

EXAMPLES: dict[str, tuple[str, ...]] = {
    "scan": (
        "mynumber scan /srv/share",
        "mynumber scan --public /var/www --format json -o scan.json /srv/share /var/www",
        "journalctl -o cat | mynumber scan -",
        "mynumber scan --state /var/lib/mynumber/share.db /srv/share    # nightly: reads only what changed",
        "mynumber scan --baseline mynumber-baseline.json /srv/share       # only what is new makes the status",
        "mynumber scan --format sarif -o mynumber.sarif .                # for code scanning",
        "mynumber scan -v /srv/share                                     # what is read, skipped and why",
        "find /srv/share -newer last-run -type f -print0 | mynumber scan --files-from -",
        "mynumber scan --shard 2/3 --one-file-system --format json -o host2.json /srv/share   # host 2 of 3",
        "mynumber scan --include '*.csv' --include '*.xlsx' --exclude '**/archive' /srv/share",
        "mynumber scan --format jsonl --host-label nas-tokyo-1 -o /var/log/mynumber/scan.jsonl /srv/share   # tail -F",
        "mynumber scan --dask tcp://scan1:8786 --state /var/lib/mynumber/share.db /srv/share   # on a Dask cluster",
        "mynumber scan --dask tcp://scan1:8786 --path-map /srv/share=/mnt/nas/share /srv/share",
    ),
    "merge": (
        "MYNUMBER_KEY_FILE=/etc/mynumber/key mynumber merge host1.json host2.json",
        "mynumber merge host1.json host2.json --format json -o all.json",
    ),
    "baseline": (
        "mynumber scan /srv/share --format json -o scan.json",
        'mynumber baseline scan.json --reason "payroll templates, checked 2026-12-01" -o mynumber-baseline.json',
        "mynumber scan --baseline mynumber-baseline.json /srv/share",
    ),
    "config": (
        "mynumber config show",
        "mynumber --config /etc/mynumber/nightly.toml config show scan",
    ),
    "config show": (
        "mynumber config show",
        "mynumber --config /etc/mynumber/nightly.toml config show scan",
    ),
    "report": (
        "mynumber report scan.json --discovered 2026-11-20 -o report.html",
        "mynumber report scan.json --discovered 2026-11-20 --lang en --format md",
        "mynumber report host1.json host2.json --malicious --format json -o incident.json",
    ),
    "notify": (
        "mynumber notify scan.json --roster 社員名簿.csv --number-column 個人番号 -o notify.csv",
        "mynumber notify scan.json --roster 社員名簿.xlsx --number-column 3 --format xlsx -o notify.xlsx",
        "mynumber notify scan.json --roster 社員名簿.csv --number-column 個人番号 --letter "
        "--name-column 姓 --name-column 名 -o notices.md",
    ),
    "exposure": (
        "mynumber exposure scan.json --access-log /var/log/nginx/access.log --url-map /var/www/html=https://example.jp/",
        "mynumber exposure scan.json --access-log '/var/log/nginx/access.log*' "
        "--url-map /var/www/html=https://example.jp/ --internal 203.0.113.0/24 --format json -o exposure.json",
        "mynumber report scan.json --exposure exposure.json -o report.html",
        "zcat /backup/logs/*.gz | mynumber exposure scan.json --access-log - --url-map /srv/www=/",
    ),
    "quarantine": (
        "mynumber quarantine scan.json --to /root/quarantine-2026-12-03                 # dry run: what would move",
        "mynumber quarantine scan.json --to /root/quarantine-2026-12-03 --only-public --apply",
        "mynumber quarantine scan.json --to /root/q --apply --placeholder apache --url-map /var/www/html=https://example.jp/",
        "mynumber quarantine --restore /root/quarantine-2026-12-03/manifest.json",
    ),
    "watch": (
        "mynumber watch /srv/share /var/www --public /var/www",
        "mynumber watch --poll 5 /mnt/nas --state /var/lib/mynumber/nas.db --syslog",
        'mynumber watch /var/log/app --format text --exec "/usr/local/bin/page-oncall"',
        "mynumber watch /srv/share --syslog --syslog-facility local3",
        "mynumber watch /srv/share --metrics 127.0.0.1:9808    # curl 127.0.0.1:9808/metrics",
        "mynumber watch /srv/share --baseline mynumber-baseline.json    # accepted findings: baselined events",
        "mynumber watch --poll 30 --shard 2/3 --one-file-system /mnt/nas    # host 2 of 3 polling one share",
    ),
    "check": (
        "mynumber check 1234-5678-9018",
        "echo 123456789018 | mynumber check -    # keeps the number out of the shell history",
    ),
}

_EXAMPLES_TITLE = {"en": "Examples:", "ja": "例:"}
_COMPLETION = {
    "en": "Shell completion (bash; zsh_source, fish_source likewise):",
    "ja": "シェル補完 (bash。zsh_source、fish_source も同様):",
}
COMPLETION_LINE = 'eval "$(_MYNUMBER_COMPLETE=bash_source mynumber)"    # in ~/.bashrc'


def epilog(lines: tuple[str, ...], lang: str, title: str | None = None) -> str:
    """A preformatted block (click's ``\\b`` keeps its lines as they are) headed ``Examples:``."""
    return "\b\n" + (title or _EXAMPLES_TITLE[lang]) + "\n" + "\n".join("  " + line for line in lines)


# -- one-line summaries -----------------------------------------------------------------------------------------

SHORT_HELP: dict[str, dict[str, str]] = {
    "en": {
        "scan": "Scan files, folders or standard input for My Numbers; count the people; assess.",
        "merge": "Combine the json of several scans or hosts into one count and one verdict.",
        "baseline": "Accept the findings of saved scans, with a reason, for scan --baseline.",
        "config": "Show the configuration files' defaults for the options.",
        "config show": "Print each command's effective defaults and where each came from.",
        "report": "Write the incident report: people, verdict, articles, PPC deadlines, draft.",
        "notify": "List the people to notify from an HR roster, or draft their notices.",
        "exposure": "Read web access logs: who fetched the public files with My Numbers, since when, which crawlers.",
        "quarantine": "Move a scan's exposed files into a private folder (dry run first), or restore them.",
        "watch": "Watch folders and logs; report findings, clearances and verdict changes live.",
        "check": "Say whether one number is a valid My Number, and why not.",
    },
    "ja": {
        "scan": "ファイル・フォルダ・標準入力の個人番号を検出し、本人の数を数え、報告要否を判定する",
        "merge": "複数のスキャン・ホストの json を一つの人数と判定にまとめる",
        "baseline": "保存したスキャンの検出を理由付きで承認する (scan --baseline 用)",
        "config": "設定ファイルによるオプションの既定値を表示する",
        "config show": "各コマンドの有効な既定値とその出所を表示する",
        "report": "事案報告書を作成する (本人の数、判定、根拠条文、報告期限、報告書の下書き)",
        "notify": "人事名簿から通知すべき本人を一覧にする、または通知文を下書きする",
        "exposure": "Web サーバのアクセスログから、個人番号を含む公開ファイルの外部からの取得とクローラを調べる",
        "quarantine": "スキャンで見つかったファイルを非公開の隔離フォルダへ移す(まず予行)、または元に戻す",
        "watch": "フォルダとログを監視し、検出・解消・判定の変化をその場で知らせる",
        "check": "一つの番号が個人番号として有効かどうかと、その理由を示す",
    },
}

# -- Japanese help ------------------------------------------------------------------------------------------------

HELP_JA: dict[str, str] = {
    "": "公開されてしまった個人番号(マイナンバー)を検出し、本人の数を数え、事案を判定します。\n\n"
        "\b\n終了ステータス: 0 検出なし、1 検出あり(スキャンした範囲では報告対象外)、3 報告対象事態、\n"
        "5 報告対象の可能性あり(確認事項を参照)、2 使い方の誤り、4 スキャンを実行できなかった。",
    " --version": "バージョンを表示して終了します。",
    " --config": "オプションの既定値を ./mynumber.toml ではなく FILE から読みます(/etc/mynumber/config.toml "
                 "の上に重ね、コマンドラインが優先)。コマンドの後にも書けます。",
    "scan": "ファイルとフォルダ(PATH に - を指定すると標準入力)から個人番号を検出します。",
    "scan --format": "出力形式。",
    "scan --output": "レポートを FILE に書き出します(0600 で作成)。",
    "scan --rules": "同梱のルールに重ねるルールファイルのフォルダ(複数指定可)。",
    "scan --quiet": "標準エラーにはエラーだけを出します。",
    "scan --verbose": "標準エラーに詳細を出します: -v 入ったフォルダ、読んだファイルとその種類、読まなかったもの"
                      "とその理由; -vv さらにファイルごとの所要時間(番号は出しません)。",
    "scan --min-confidence": "この確度以上の検出を報告します(それ未満は件数だけ数えます)。",
    "scan --jobs": "並列プロセス数(既定: コア数)。",
    "scan --dask": "ファイルを Dask クラスタのワーカーで読みます。ADDRESS はスケジューラのアドレス(tcp://HOST:8786、"
                   "tls://...)。各ワーカーの MYNUMBER_KEY か鍵ファイルにスキャンと同じ鍵が必要です(pip install "
                   "'mynumber-scan[dask]'。docs/scale.md を参照)。",
    "scan --path-map": "--dask と併用: ワーカーからはフォルダ LOCAL が REMOTE に見えます(複数指定可)。結果には LOCAL "
                       "のパスを書きます。",
    "scan --follow-symlinks": "シンボリックリンクをたどります(ループは検出します)。",
    "scan --exclude": "GLOB に一致するパスを飛ばします(複数指定可)。",
    "scan --include": "GLOB に一致するファイルだけを読みます(複数指定可。フォルダはたどります。--exclude が優先)。",
    "scan --files-from": "FILE に書かれたファイルも読みます(一行に一つ、または find -print0 の NUL 区切り。- は標準"
                         "入力)。そこに書かれたフォルダの中には入りません。",
    "scan --one-file-system": "PATH と別のファイルシステムのフォルダには入りません(マウントポイントは除外として一覧"
                              "に載せます。find -xdev と同じ)。",
    "scan --shard": "ファイルを N 個の安定した組に分け(PATH からの相対パスで決まります)、K 番目だけを読みます。"
                    "一つのツリーを N 台のホストや cron ジョブで分担するときに。",
    "scan --max-file-size": "SIZE (例: 500M, 2G)を超えるファイルはスキャンせず一覧に載せます。",
    "scan --public": "組織の外から到達できるフォルダ(Web サーバーで公開しているフォルダなど)。",
    "scan --key-file": "フィンガープリントの鍵(既定: $MYNUMBER_KEY、なければこのインストールの鍵)。",
    "scan --reveal": "本人への通知のため、番号そのものを --output FILE (0600) に書きます。",
    "scan --engine": "照合エンジン(どれも同じ結果になります)。",
    "scan --progress": "標準エラーに進捗を表示します(既定: 端末のとき)。",
    "scan --state": "差分スキャン: ファイルごとの結果を FILE (SQLite、0600、番号そのものは保存しない)に残し、"
                    "次回は新しいファイルと変更されたファイルだけを読みます。",
    "scan --baseline": "FILE (mynumber baseline で作成)が承認した検出は新規とせず baselined として別に示します"
                       "(本人の数と判定には含めます)。",
    "scan --no-ocr": "画像と画像だけの PDF ページを OCR で読みません(スキャンしなかったものとして一覧に載せます)。",
    "scan --ocr-timeout": "一枚の画像の OCR にかけてよい秒数(既定: rules/limits.toml の picture.max_seconds)。",
    "scan --list-excluded": "除外したファイルとフォルダを、除外したルールとともに一覧にします。",
    "scan --host-label": "結果でファイルを読んだホストを LABEL と呼びます(既定: このマシンの名前)。",
    "merge": "同じ鍵で作成した複数のスキャン・ホストの json 結果を一つにまとめ、本人の数と判定を一つにします。",
    "merge --format": "出力形式。",
    "merge --output": "結果を FILE に書き出します(0600 で作成)。",
    "merge --rules": "同梱のルールに重ねるルールファイルのフォルダ(複数指定可)。",
    "merge --quiet": "標準エラーにはエラーだけを出します。",
    "merge --verbose": "標準エラーに詳細を出します。",
    "baseline": "保存したスキャンの検出を承認します: scan --baseline 用のベースライン(各検出のフィンガープリント、"
                "パス、場所、マスクした番号、理由。番号そのものは書きません)を書き出します。承認した検出は"
                "別に示され、新しい検出がなければ終了ステータス 0 になります。本人の数と判定には含めます。",
    "baseline --output": "書き出すベースライン(0600 で作成)。例: mynumber-baseline.json",
    "baseline --reason": "これらの検出を承認する理由(各エントリの理由。後から FILE で個別に直せます)。"
                         "理由のない検出があるときは必須です。",
    "baseline --rules": "スキャンに使ったルールのフォルダ。",
    "config": "設定ファイル: /etc/mynumber/config.toml、次に ./mynumber.toml または --config FILE。"
              "どれもオプションの既定値を、全コマンド共通とコマンドごとの表([scan]、[watch]...)に持ちます。"
              "コマンドラインが優先します。",
    "config show": "各コマンド(または COMMAND)の有効な既定値を設定ファイルの形で、値ごとの出所(ファイル名または "
                   "default)とともに表示します。",
    "report": "保存したスキャン(scan または merge の json。複数はまとめます)から事案報告書を作成します: "
              "本人の数、ファイル、判定と根拠条文、個人情報保護委員会への報告期限、報告書の下書き。",
    "report --format": "単独で開ける HTML、チケット用の Markdown、他のツール用の json。",
    "report --output": "報告書を標準出力ではなく FILE に書きます(0600 で作成)。",
    "report --discovered": "組織が事案を知った日(報告期間の 1 日目。既定: 今日)。",
    "report --malicious": "不正の目的によるおそれがある(攻撃など): 規則第2条第2号、確報は 60 日以内。",
    "report --lang": "報告書の言語。",
    "report --rules": "追加のルールフォルダ(複数指定可)。",
    "report --exposure": "これらのスキャンに対する mynumber exposure の json: アクセスログの確認結果の節を加え、"
                         "報告書の下書きの二次被害と発生日の欄をそこから補います(出典を明記)。",
    "exposure": "スキャンで見つかった、個人番号を含む公開ファイルについて Web サーバのアクセスログを調べます: "
                "ファイルを返したリクエスト(2xx、206、304)、外部の接続元の数、外部からの最初と最後の取得、送信バイト数、"
                "検索エンジン等のクローラ(ユーザーエージェントによる)、外部から取得されたファイルの本人の数。"
                "公開でないファイルは調べません(件数のみ)。",
    "exposure --access-log": "アクセスログ: nginx・Apache の combined・common、IIS の W3C 拡張、JSON 行。"
                             "平文・gz・bz2・xz。- は標準入力。ローテーションはパターンを引用符で(複数指定可)。",
    "exposure --url-map": "LOCAL_ROOT 以下のファイルは URL_PREFIX で公開されている(複数指定可。最も長いものを使用)。",
    "exposure --internal": "組織内のネットワーク(CIDR。複数指定可)。プライベート・ループバック・リンクローカルは"
                           "常に内部です。",
    "exposure --show-clients": "外部の接続元 IP アドレスを一覧にします(個人情報のため、既定では件数のみ)。",
    "exposure --format": "人が読むテキスト、または json (report --exposure の入力)。",
    "exposure --output": "標準出力ではなく FILE に書きます(0600 で作成)。",
    "exposure --rules": "追加のルールフォルダ(複数指定可。crawlers.toml でクローラを定義)。",
    "notify": "通知すべき本人を一覧にします: スキャンで見つかった全員の名簿の行(フィンガープリントで照合、見つかった"
              "ファイル付き、個人番号の列は除く)と、名簿にない本人(マスクした番号で)。--letter では各人への通知文"
              "(番号法第29条の4第2項)を下書きします。",
    "notify --roster": "人事名簿: 見出し行のある CSV (UTF-8 または CP932)または xlsx。",
    "notify --number-column": "個人番号を持つ名簿の列: 見出し、または 1 から数えた列番号。",
    "notify --format": "一覧の形式: csv (Excel 用の BOM 付き UTF-8。既定)、json、xlsx ブック(--output が必要)。",
    "notify --letter": "一覧の代わりに通知文(Markdown)を下書きします: 担当者向けの時期・内容・代替措置の頁と、"
                       "名簿で見つかった一人ごとの通知文。",
    "notify --name-column": "--letter と併用: 宛名にする名簿の列(見出しまたは 1 から数えた番号。姓と名で繰り返し"
                            "指定)。省略すると宛名は記入欄になります。",
    "notify --lang": "通知文と json の通知ガイダンスの言語。",
    "notify --output": "標準出力ではなく FILE に書きます(0600 で作成)。",
    "notify --key-file": "スキャンのフィンガープリントの鍵(既定: $MYNUMBER_KEY、なければこのインストールの鍵)。",
    "notify --rules": "追加のルールフォルダ(複数指定可)。",
    "quarantine": "保存したスキャンで個人番号が見つかったファイルを隔離フォルダへ移します(元のパス、所有者、モード、"
                  "時刻を保ち、戻すためのマニフェストを書きます)。スキャンの後に変わったファイルは移しません。"
                  "--apply がなければ予行で、何も変えません。終了ステータス 0 すべて移した(予行では移せる)、"
                  "1 移さなかったファイルがある(理由付きで一覧)、2 使い方の誤り。",
    "quarantine --to": "隔離フォルダ(0700 で作成。スキャンのどのルートの外にも置きます)。その manifest.json と "
                       "actions.jsonl (0600)に移したものを記録します。",
    "quarantine --apply": "ファイルを移します。指定しなければ、移すものと移さないもの(理由付き)を一覧にするだけで、"
                          "何も変えません。",
    "quarantine --only-public": "公開の場所で見つかったファイルだけを移します。",
    "quarantine --placeholder": "移したファイルの URL が 410 Gone を返すようにします: apache は Web ルートの "
                                ".htaccess へのブロックと DIR/apache-410.conf、nginx は include する "
                                "DIR/nginx-410.conf。--url-map が必要です。",
    "quarantine --url-map": "Web ルートを公開している URL。例: /var/www/html=https://example.jp/ (複数指定可)。",
    "quarantine --restore": "隔離フォルダの manifest.json にあるファイルをすべて元の場所に戻します(その間に現れた"
                            "ファイルは上書きしません)。",
    "quarantine --key-file": "スキャンのフィンガープリントの鍵(既定: $MYNUMBER_KEY、なければこのインストールの鍵)。"
                             "各ファイルはスキャンが記録したサイズ、更新時刻、sha256 と同じでなければなりません。"
                             "記録のないファイル(古いスキャン)は読み直し、スキャンと同じ検出であることを確かめます。",
    "quarantine --rules": "スキャンに使ったルールのフォルダ。",
    "watch": "フォルダとログを監視します: ファイルが現れ変わるたびに検出を、検出がなくなったファイルを、判定の変化を"
             "知らせます。SIGTERM か Ctrl-C で止まります(状態を先に保存します)。",
    "watch --poll": "inotify の代わりに SECONDS 秒(既定 1)ごとにポーリングします: 他のマシンの変更をカーネルが"
                    "知らない SMB/CIFS や NFS のマウント用。",
    "watch --format": "イベントごとに json 一つ、または読める一行。",
    "watch --output": "イベントを標準出力ではなく FILE に追記します(0600 で作成)。",
    "watch --state": "ファイルごとの結果とログをどこまで読んだかを FILE (SQLite、0600)に残します: 再起動しても"
                     "変わった分だけを読み、同じイベントを繰り返しません。",
    "watch --exec": "イベントごとに CMD を実行し、イベントの json を標準入力に渡します(シェルは使わず、ファイル名を"
                    "コマンド行に入れません)。",
    "watch --syslog": "各イベントとこの監視自身のメッセージをシステムログにも送ります。優先度はイベントによります"
                      "(報告対象の判定は alert)。systemd の下ではジャーナルに MYNUMBER_* フィールド付きで送ります。",
    "watch --syslog-facility": "syslog のファシリティ: user、daemon、auth、authpriv、local0 ... local7。",
    "watch --journal": "--syslog と併用: systemd ジャーナル固有のプロトコルで送ります(既定: systemd が起動し "
                       "JOURNAL_STREAM があるとき)。--no-journal で syslog。",
    "watch --metrics": "http://ADDR:PORT/metrics で Prometheus のメトリクスを、/healthz でヘルスチェックを提供します"
                       "(ADDR の既定は 127.0.0.1。prometheus-client が必要)。",
    "watch --settle": "書き込み中のファイルは、最後の変更からこの秒数待ってから読みます。",
    "watch --min-confidence": "この確度以上の検出を報告します(それ未満は件数だけ数えます)。",
    "watch --exclude": "GLOB に一致するパスを飛ばします(複数指定可)。",
    "watch --include": "GLOB に一致するファイルだけを監視します(複数指定可。--exclude が優先)。",
    "watch --one-file-system": "PATH と別のファイルシステムのフォルダやファイル(ツリーの中にマウントした共有など)"
                               "は監視しません(find -xdev と同じ)。",
    "watch --shard": "ファイルを N 個の安定した組に分け(scan --shard と同じく PATH からの相対パスで決まります)、K "
                     "番目だけを監視します。一つの共有を N 台のホストでポーリングするときに。",
    "watch --public": "組織の外から到達できるフォルダ(複数指定可)。",
    "watch --key-file": "フィンガープリントの鍵(既定: $MYNUMBER_KEY、なければこのインストールの鍵)。",
    "watch --rules": "追加のルールフォルダ(複数指定可)。",
    "watch --baseline": "FILE (mynumber baseline で作成)が承認した検出は finding ではなく baselined のイベントとし、"
                        "--exec のコマンドも実行しません(本人の数は判定に含めます)。",
    "watch --no-ocr": "画像と画像だけの PDF ページを OCR で読みません。",
    "watch --ocr-timeout": "一枚の画像の OCR にかけてよい秒数(既定: rules/limits.toml の picture.max_seconds)。",
    "watch --host-label": "イベントでホストを LABEL と呼びます(既定: このマシンの名前)。",
    "watch --quiet": "標準エラーにログメッセージを出しません。",
    "watch --verbose": "標準エラーにより多くのログを出します(-v 読んだファイル、-vv 所要時間)。",
    "check": "NUMBER が有効な個人番号かどうかと、無効ならその理由を示します。- を指定すると標準入力から読みます"
             "(シェルの履歴に残りません)。終了ステータス 0 有効、1 無効。",
    "check --rules": "ルールフォルダ(サンプル番号の一覧用)。",
    "* --config": "オプションの既定値を FILE から読みます(mynumber config show を参照)。",
    "* --help": "このヘルプを表示して終了します。",
}

# -- the command line's own messages --------------------------------------------------------------------------------

# The command line's own messages are in the one catalogue, with the library's errors: detector.messages.
MESSAGES = _messages.MESSAGES


def message(key: str, lang: str | None = None, **values: str) -> str:
    """One of the command line's own messages in the user's language."""
    return _messages.message(key, lang, **values)


# -- applying them ----------------------------------------------------------------------------------------------------


def commands(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    """Every command under ``group`` by its path (``scan``, ``config show``), groups included."""
    for name, command in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        yield path, command
        if isinstance(command, click.Group):
            yield from commands(command, path + " ")


def option_key(path: str, option: click.Option) -> str:
    """How :data:`HELP_JA` names an option: the command's path and the option's long name."""
    return f"{path} {max(option.opts, key=len)}"


def apply(main: click.Group, lang: str) -> None:
    """Give every command its summary and examples, and, in Japanese, its help and its options' help."""
    _main_epilog(main, lang)
    help_names = main.context_settings.get("help_option_names", ["--help"])
    if lang == "ja":
        main.help = HELP_JA[""]
        _options_ja(main, "", help_names)
    for path, command in commands(main):
        command.short_help = SHORT_HELP[lang].get(path) or _first_sentence(command.help or "")
        if path in EXAMPLES:
            command.epilog = epilog(EXAMPLES[path], lang)
        if lang == "ja":
            command.help = HELP_JA.get(path, command.help)
            _options_ja(command, path, help_names)


def _options_ja(command: click.Command, path: str, help_names: list[str]) -> None:
    for param in command.params:
        if isinstance(param, click.Option):
            key = option_key(path, param)
            param.help = HELP_JA.get(key) or HELP_JA.get("* " + key.split(" ")[-1]) or param.help
    help_option = command.get_help_option(click.Context(command, help_option_names=help_names))
    if help_option is not None:
        help_option.help = HELP_JA["* --help"]


def _main_epilog(main: click.Group, lang: str) -> None:
    main.epilog = epilog((COMPLETION_LINE,), lang, _COMPLETION[lang])


def _first_sentence(text: str) -> str:
    """The help's first sentence, whole (click would cut it at 45 characters)."""
    first = " ".join(text.split("\n\n")[0].split())
    match = re.match(r"(.+?[.。])(\s|$)", first)
    return match.group(1) if match else first
