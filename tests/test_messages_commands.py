"""`mynumber exposure` and `mynumber quarantine` speak the user's language too (issue 19: messages follow LANG).

Their errors are worded in the one catalogue (detector.messages): ``str()`` of each is the English it always was
(what programs, logs and the other tests compare), ``localized("ja")`` is Japanese, and under a ja_* locale the
command line shows the Japanese. A path or a value put into a message never shows a raw number: the library gives
the share's paths as ``names.shown`` writes them (masked), and the command line masks what is left (a path the
user typed) before it prints the line. Their text output (the tables and lines of a run) stays English in every
locale, as ``scan``'s, ``watch``'s and ``notify``'s do: only messages and help follow the locale."""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from detector import api
from detector.access.clients import parse_networks
from detector.access.evidence import ExposureEvidence
from detector.access.formats import recognise
from detector.access.reading import LineBlocks, open_log
from detector.access.urls import UrlMapping
from detector.contain.manifest import SCHEMA as MANIFEST_SCHEMA
from detector.contain.manifest import Manifest
from detector.contain.plan import check_key, scan_facts
from detector.contain.quarantine import QuarantineOptions, checked_target, quarantine
from detector.errors import MyNumberToolError
from detector.messages import either
from detector.people import Fingerprinter

from .conftest import valid_number
from .test_cli import run

RAW_NUMBER = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
JAPANESE = {"LANG": "ja_JP.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
ENGLISH = {"LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
NUMBER = valid_number(19)


def raised(action: Callable[[], object]) -> MyNumberToolError:
    with pytest.raises(MyNumberToolError) as caught:
        action()
    return caught.value


def worded(action: Callable[[], object], english: str, japanese: str) -> None:
    """``action`` raises an error whose English is ``english`` (as before the catalogue) and whose Japanese is
    ``japanese``."""
    error = raised(action)
    assert str(error) == english
    assert error.localized("en") == english
    assert error.localized("ja") == japanese


# -- the library: English unchanged, Japanese when asked -------------------------------------------------------


def test_the_access_log_options_errors_in_both_languages() -> None:
    worded(lambda: parse_networks(["10.0.0.0/33"]),
           "--internal '10.0.0.0/33': give a network as CIDR, e.g. 192.0.2.0/24 or 2001:db8::/32",
           "--internal '10.0.0.0/33': ネットワークを CIDR の形で指定してください(例: 192.0.2.0/24、2001:db8::/32)")
    worded(lambda: UrlMapping.parse("/var/www/html"),
           "--url-map '/var/www/html': give LOCAL_ROOT=URL_PREFIX, e.g. /var/www/html=https://example.jp/",
           "--url-map '/var/www/html': LOCAL_ROOT=URL_PREFIX の形で指定してください(例: "
           "/var/www/html=https://example.jp/)")
    worded(lambda: UrlMapping.parse("/srv/www=https://example.jp/?lang=ja"),
           "--url-map '/srv/www=https://example.jp/?lang=ja': the URL prefix takes no query string nor fragment",
           "--url-map '/srv/www=https://example.jp/?lang=ja': URL_PREFIX にクエリ文字列やフラグメントは付けられません")


def test_the_access_logs_errors_in_both_languages(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.log"
    worded(lambda: open_log(str(missing)), f"{missing}: cannot read the access log: No such file or directory",
           f"{missing}: アクセスログを読めません: No such file or directory")
    damaged = tmp_path / "access.log.2.gz"
    damaged.write_bytes(gzip.compress(b"".join(b"%d\n" % n for n in range(20000)))[:2000])

    def read_damaged() -> None:
        with open_log(str(damaged)) as stream:
            list(LineBlocks(stream, str(damaged)))

    worded(read_damaged, f"{damaged}: the access log is damaged or cut short (EOFError)",
           f"{damaged}: アクセスログが壊れているか、途中で切れています(EOFError)")
    worded(lambda: recognise([b"Dec  3 14:00:00 host sshd[1]: Accepted publickey\n"], "-"),
           "standard input: not an access log in a known format (nginx or Apache combined or common, IIS W3C "
           "extended, or JSON lines)",
           "標準入力: 対応している形式のアクセスログではありません(nginx・Apache の combined・common、IIS の W3C 拡張、"
           "JSON 行に対応しています)")


def test_the_exposure_documents_errors_in_both_languages() -> None:
    from detector.access.evidence import _moment  # the one reader of the document's times

    worded(lambda: ExposureEvidence.from_json({"schema": "mynumber/1"}, "e.json"),
           "e.json: not the json of mynumber exposure (schema mynumber-exposure/1 expected)",
           "e.json: mynumber exposure の json ではありません(schema mynumber-exposure/1 を想定しています)")
    worded(lambda: ExposureEvidence.from_json({"schema": "mynumber-exposure/1"}, "e.json"),
           "e.json: not the json of mynumber exposure (KeyError: 'files')",
           "e.json: mynumber exposure の json ではありません(KeyError: 'files')")
    worded(lambda: _moment(3, "e.json"), "e.json: a time must be an RFC 3339 string",
           "e.json: 時刻は RFC 3339 の文字列でなければなりません")
    worded(lambda: _moment("yesterday", "e.json"), "e.json: 'yesterday' is not an RFC 3339 time",
           "e.json: 'yesterday' は RFC 3339 の時刻ではありません")


KEY = b"the scan's key"


def scan_document(root: Path) -> dict[str, object]:
    return {"scan": {"started": "2026-12-03T09:00:00+0900", "key_id": Fingerprinter(KEY).key_id,
                     "roots": [str(root)]}}


def test_the_quarantine_s_errors_in_both_languages(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    document = scan_document(share)
    target = tmp_path / "q"
    worded(lambda: scan_facts("s.json", {"scan": {"key_id": "0" * 16}}),
           "s.json: the scan's start time is missing or unreadable (KeyError)",
           "s.json: スキャンの開始時刻がないか、読めません(KeyError)")
    other = Fingerprinter(b"another key").key_id
    worded(lambda: check_key(scan_facts("s.json", document), b"another key"),
           f"s.json: the scan was made with key {Fingerprinter(KEY).key_id}, this key is {other}: give the scan's "
           "key (--key-file or MYNUMBER_KEY) so its findings can be checked again",
           f"s.json: このスキャンはフィンガープリントの鍵 {Fingerprinter(KEY).key_id} で作られ、指定の鍵は {other} "
           "です。検出を読み直して確かめるため、スキャンと同じ鍵を --key-file か MYNUMBER_KEY で指定してください")
    worded(lambda: quarantine("s.json", document, QuarantineOptions(str(target), placeholders=("iis",)), KEY),
           "--placeholder iis: use apache or nginx", "--placeholder iis: apache か nginx を指定してください")
    worded(lambda: quarantine("s.json", document, QuarantineOptions(str(target), placeholders=("nginx",)), KEY),
           "--placeholder needs --url-map LOCAL_ROOT=URL_PREFIX: which URL each file was served under",
           "--placeholder には --url-map LOCAL_ROOT=URL_PREFIX が必要です(各ファイルがどの URL で公開されていたか)")


def test_an_unsafe_quarantine_folder_is_refused_in_both_languages(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    inside = share / "q"
    worded(lambda: checked_target(str(inside), (str(share),)),
           f"--to {inside}: inside the scanned root {share}: the files would stay where the scan looks (in a web "
           "root, where the server may serve them); choose a folder outside every root",
           f"--to {inside}: スキャンしたルート {share} の中です。ファイルがスキャン対象の場所(Web ルートならサーバが"
           "公開しうる場所)に残ってしまいます: どのルートにも含まれないフォルダを指定してください")
    a_file = tmp_path / "file"
    a_file.write_text("")
    worded(lambda: checked_target(str(a_file), (str(share),)),
           f"--to {a_file}: not a folder (a symbolic link or a file)",
           f"--to {a_file}: フォルダではありません(シンボリックリンクかファイルです)")
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    worded(lambda: checked_target(str(shared), (str(share),)), f"--to {shared}: others may write to it (mode 0777)",
           f"--to {shared}: 他のユーザーが書き込めます(モード 0777)")


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")
def test_a_quarantine_folder_of_another_user_is_refused_in_both_languages(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    os.chown(theirs, 65534, 65534)
    worded(lambda: checked_target(str(theirs), ()), f"--to {theirs}: owned by another user (uid 65534)",
           f"--to {theirs}: 他のユーザーが所有しています(uid 65534)")


def test_the_manifest_s_errors_in_both_languages(tmp_path: Path) -> None:
    missing = tmp_path / "gone" / "manifest.json"
    worded(lambda: Manifest.load(str(missing)), f"{missing}: cannot read the manifest: No such file or directory",
           f"{missing}: マニフェストを読めません: No such file or directory")
    manifest = tmp_path / "manifest.json"
    for content, english, japanese in (
            ("{", "not a json document (JSONDecodeError)", "json の文書ではありません(JSONDecodeError)"),
            ('{"schema": "mynumber/1"}', f"not a quarantine manifest ({MANIFEST_SCHEMA} expected)",
             f"隔離のマニフェストではありません({MANIFEST_SCHEMA} を想定しています)"),
            (json.dumps({"schema": MANIFEST_SCHEMA}), "malformed manifest (KeyError: 'entries')",
             "マニフェストの形が正しくありません(KeyError: 'entries')")):
        manifest.write_text(content, encoding="utf-8")
        worded(lambda: Manifest.load(str(manifest)), f"{manifest}: {english}", f"{manifest}: {japanese}")


def test_the_library_entry_s_error_in_both_languages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYNUMBER_KEY", "test-key")
    worded(lambda: api.scan(tmp_path, path_map=["/srv=/mnt"]),
           "path_map maps folders for the workers of dask: give dask too",
           "path_map は dask のワーカー用のフォルダの対応です: dask も指定してください")


def test_choices_are_joined_in_the_language_of_the_message() -> None:
    assert either(("apache",)) == "apache"
    assert str(either(("apache", "nginx", "caddy"))) == "apache or nginx or caddy"
    joined = either(("apache", "nginx", "caddy"))
    assert not isinstance(joined, str) and joined.words("ja") == "apache か nginx か caddy"


# -- the command line: Japanese under a ja_* locale, never a raw number -------------------------------------------


@pytest.fixture(scope="module")
def saved_scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scan of a web root declared public, holding a file with a number."""
    where = tmp_path_factory.mktemp("messages")
    (where / "www").mkdir()
    (where / "www" / "list.csv").write_text(f"氏名,個人番号\n社員,{NUMBER}\n", encoding="utf-8")
    done = run(["scan", "--public", "www", "www", "--format", "json", "-o", "scan.json"], where)
    assert done.returncode == 3, done.stderr
    return where / "scan.json"


def japanese(args: list[str], cwd: Path) -> str:
    """The one error line the command prints under a Japanese locale (exit status 2), checked to hold no raw
    number, and the same command's English line checked too."""
    done = run(args, cwd, env=JAPANESE)
    english = run(args, cwd, env=ENGLISH)
    assert done.returncode == english.returncode == 2, done.stderr
    assert done.stdout == english.stdout == ""
    assert done.stderr.startswith("mynumber: エラー: ") and english.stderr.startswith("mynumber: error: ")
    assert not RAW_NUMBER.search(done.stderr) and not RAW_NUMBER.search(english.stderr)
    assert "Traceback" not in done.stderr + english.stderr
    return done.stderr.removeprefix("mynumber: エラー: ").removesuffix("\n")


def test_mynumber_exposure_s_errors_are_japanese_under_a_japanese_locale(saved_scan: Path) -> None:
    where = saved_scan.parent
    assert japanese(["exposure", "scan.json", "--access-log", "-", "--url-map", "www"], where) == \
        "--url-map 'www': LOCAL_ROOT=URL_PREFIX の形で指定してください(例: /var/www/html=https://example.jp/)"
    pattern = f"logs/{NUMBER}-*.log"  # a pattern holding a number is shown masked
    assert japanese(["exposure", "scan.json", "--access-log", pattern, "--url-map", "www=/"], where) == \
        f"--access-log 'logs/{'*' * 8}{NUMBER[-4:]}-*.log': 一致するファイルがありません"
    syslog = where / "messages"
    syslog.write_text("Dec  3 14:00:00 host sshd[1]: Accepted publickey for root\n" * 5, encoding="utf-8")
    assert japanese(["exposure", "scan.json", "--access-log", "messages", "--url-map", "www=/"], where).startswith(
        "messages: 対応している形式のアクセスログではありません")


def test_mynumber_report_s_exposure_errors_are_japanese_under_a_japanese_locale(saved_scan: Path) -> None:
    where = saved_scan.parent
    (where / "not-exposure.json").write_text('{"schema": "mynumber/1"}', encoding="utf-8")
    assert japanese(["report", "scan.json", "--exposure", "not-exposure.json"], where) == \
        "not-exposure.json: mynumber exposure の json ではありません(schema mynumber-exposure/1 を想定しています)"
    hostile = {"schema": "mynumber-exposure/1", "files": [{"path": "a", "url": "/a", "people": NUMBER}]}
    (where / "hostile.json").write_text(json.dumps(hostile), encoding="utf-8")
    assert japanese(["report", "scan.json", "--exposure", "hostile.json"], where) == \
        f"hostile.json: mynumber exposure の json ではありません(ValueError: '{'*' * 8}{NUMBER[-4:]}' is not a count)"


def test_mynumber_quarantine_s_errors_are_japanese_under_a_japanese_locale(saved_scan: Path) -> None:
    where = saved_scan.parent
    assert japanese(["quarantine", "--restore", "q/manifest.json", "--apply"], where) == \
        "--restore MANIFEST は隔離したファイルを元に戻します: SCAN.json、--to、--apply は指定しないでください"
    assert japanese(["quarantine", "scan.json"], where) == \
        "SCAN.json と --to DIR を指定してください(戻すときは --restore MANIFEST)"
    inside = f"www/q-{NUMBER}"  # a folder named with a number, inside the root: refused, shown masked
    assert japanese(["quarantine", "scan.json", "--to", inside], where).startswith(
        f"--to www/q-{'*' * 8}{NUMBER[-4:]}: スキャンしたルート {where / 'www'} の中です。")
    assert japanese(["quarantine", "--restore", f"q-{NUMBER}/manifest.json"], where) == \
        f"q-{'*' * 8}{NUMBER[-4:]}/manifest.json: マニフェストを読めません: No such file or directory"


def test_config_show_of_an_unknown_command_is_japanese_under_a_japanese_locale(tmp_path: Path) -> None:
    assert japanese(["config", "show", "scna"], tmp_path).startswith(
        "'scna' というコマンドには設定できるオプションがありません(コマンドは ")


def test_the_text_output_of_a_quarantine_stays_english_as_scan_s_does(saved_scan: Path) -> None:
    """Only messages and help follow the locale; what a run lists is English in every locale, as scan's table."""
    where = saved_scan.parent
    done = run(["quarantine", "scan.json", "--to", "q"], where, env=JAPANESE)
    english = run(["quarantine", "scan.json", "--to", "q"], where, env=ENGLISH)
    assert done.returncode == english.returncode == 0, done.stderr
    assert done.stdout == english.stdout and done.stdout.strip()
    assert not RAW_NUMBER.search(done.stdout)
