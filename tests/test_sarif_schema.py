"""SARIF that code scanning accepts: valid against the SARIF 2.1.0 JSON schema (vendored in tests/schemas/, never
downloaded), every result with a region, a member's finding located in the member, URIs RFC 3986 references with
a declared ``uriBaseId``."""

from __future__ import annotations

import io
import json
import os
import shutil
import urllib.parse
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from detector.model import Location
from detector.pipeline import ScanOptions, scan_paths
from detector.report import render
from detector.report.sarif_report import artifact_location, logical_name

from .conftest import valid_number

SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"
DOCUMENTS = Path(__file__).parent.parent / "fixtures" / "documents"
NUMBERS = [valid_number(9100 + i) for i in range(8)]
# RFC 3986: a URI reference holds only unreserved and reserved characters and percent-encodings.
URI_CHARACTERS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%")


def _xlsx(value: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "申告書"
    book.active["A1"] = "個人番号"
    book.active["A2"] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build(share: Path) -> None:
    (share / "logs").mkdir(parents=True)
    (share / "logs" / "app 100% #1.log").write_text(f"ok\nmy_number={NUMBERS[0]}\n", encoding="utf-8")
    (share / "名簿.xlsx").write_bytes(_xlsx(NUMBERS[1]))
    with zipfile.ZipFile(share / "old.zip", "w") as archive:
        archive.writestr("2024/memo.txt", f"first\n個人番号 {NUMBERS[2]}\n")
        archive.writestr("2024/book.xlsx", _xlsx(NUMBERS[3]))
    (share / f"給与_{NUMBERS[4]}.csv").write_text("氏名,部署\n山田,総務\n", encoding="utf-8")
    with open(os.fsencode(share) + b"/\x8c\xc2\x90l.txt", "wb") as handle:  # a Shift_JIS name
        handle.write(f"個人番号 {NUMBERS[5]}\n".encode())
    shutil.copy(DOCUMENTS / "word" / "源泉徴収票.pdf", share / "源泉徴収票.pdf")
    shutil.copy(DOCUMENTS / "word" / "源泉徴収票.docx", share / "源泉徴収票.docx")
    (share / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)  # not scanned: a notification


@pytest.fixture(scope="module")
def sarif_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The SARIF of one share scanned as a relative path and as an absolute one."""
    root = tmp_path_factory.mktemp("sarif")
    build(root / "share")
    out = {}
    cwd = os.getcwd()
    os.chdir(root)
    try:
        for name, path in (("relative", "./share"), ("absolute", str(root / "share"))):
            result = scan_paths([path], ScanOptions(key=b"sarif-key", jobs=1))
            out[name] = json.loads(render(result, "sarif"))
    finally:
        os.chdir(cwd)
    return out


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)  # type: ignore[no-any-return]


@pytest.mark.parametrize("how", ["relative", "absolute"])
def test_the_output_is_valid_sarif_2_1_0(sarif_runs: dict[str, dict[str, Any]],
                                         validator: jsonschema.protocols.Validator, how: str) -> None:
    errors = sorted(validator.iter_errors(sarif_runs[how]), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_the_share_gave_every_kind_of_location(sarif_runs: dict[str, dict[str, Any]]) -> None:
    locations = [result["properties"]["location"] for result in sarif_runs["relative"]["runs"][0]["results"]]
    assert {"line", "sheet", "page", "part", "member", "name"} <= {key for loc in locations for key in loc}
    assert sarif_runs["relative"]["runs"][0]["invocations"][0]["toolExecutionNotifications"]


@pytest.mark.parametrize("how", ["relative", "absolute"])
def test_every_result_has_a_region_and_a_uri_relative_to_a_declared_base(
        sarif_runs: dict[str, dict[str, Any]], how: str) -> None:
    run = sarif_runs[how]["runs"][0]
    bases = run["originalUriBaseIds"]
    artifact_locations = [loc["physicalLocation"]["artifactLocation"] for result in run["results"]
                          for loc in result["locations"]]
    artifact_locations += [loc["physicalLocation"]["artifactLocation"]
                           for note in run["invocations"][0]["toolExecutionNotifications"] for loc in note["locations"]]
    for result in run["results"]:
        (location,) = result["locations"]
        assert location["physicalLocation"]["region"]["startLine"] >= 1
        assert result["ruleId"] in {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    for artifact in artifact_locations:
        reference = artifact["uri"]
        assert set(reference) <= URI_CHARACTERS, reference
        assert not urllib.parse.urlsplit(reference).scheme and not reference.startswith("/")  # relative
        assert artifact["uriBaseId"] in bases
        assert not reference.startswith("share/") or how == "relative"
    assert "share/logs/app%20100%25%20%231.log" in {a["uri"] for a in artifact_locations} or how == "absolute"
    assert any(a["uri"].endswith("share/%8C%C2%90l.txt") for a in artifact_locations)  # the name's bytes
    assert bases["ROOT"]["uri"] == "file:///"


def test_a_line_of_the_file_is_the_region_and_any_other_place_a_logical_location(
        sarif_runs: dict[str, dict[str, Any]]) -> None:
    by_place = {}
    for result in sarif_runs["relative"]["runs"][0]["results"]:
        (location,) = result["locations"]
        logical = [item["fullyQualifiedName"] for item in location.get("logicalLocations", [])]
        by_place[(location["physicalLocation"]["artifactLocation"]["uri"], *logical)] = \
            location["physicalLocation"]["region"]["startLine"]
    assert by_place[("share/logs/app%20100%25%20%231.log",)] == 2
    assert by_place[("share/%E5%90%8D%E7%B0%BF.xlsx", "申告書!A2")] == 1
    assert by_place[("share/old.zip", "2024/memo.txt!line 2")] == 1  # the member's line, not the zip's
    assert by_place[("share/old.zip", "2024/book.xlsx!申告書!A2")] == 1
    assert by_place[(f"share/%E7%B5%A6%E4%B8%8E_********{NUMBERS[4][-4:]}.csv", "file name")] == 1
    assert any(place[0].endswith(".pdf") and place[1].startswith("page ") for place in by_place)
    assert any(place[0].endswith(".docx") and len(place) == 2 for place in by_place)


def test_no_raw_number_in_the_sarif(sarif_runs: dict[str, dict[str, Any]]) -> None:
    text = json.dumps(sarif_runs, ensure_ascii=False)
    assert not any(number in text for number in NUMBERS)


def test_paths_become_relative_references_to_their_base() -> None:
    assert artifact_location("./a b/c.txt") == {"uri": "a%20b/c.txt", "uriBaseId": "%SRCROOT%"}
    assert artifact_location("/srv/share/x#1.csv") == {"uri": "srv/share/x%231.csv", "uriBaseId": "ROOT"}
    assert artifact_location("-") == {"uri": "-", "uriBaseId": "%SRCROOT%"}


def test_logical_locations_name_the_member_and_the_place_in_it() -> None:
    assert logical_name(Location(line=3)) is None
    assert logical_name(Location(page=2)) == ("page 2", "element")
    assert logical_name(Location(sheet="S", cell="B7")) == ("S!B7", "element")
    assert logical_name(Location(part="body, table 1", cell="C2")) == ("body, table 1 C2", "element")
    assert logical_name(Location(member="a/b.txt", line=4)) == ("a/b.txt!line 4", "resource")
    assert logical_name(Location(member="m.xlsx", sheet="S", cell="A1")) == ("m.xlsx!S!A1", "resource")
    assert logical_name(Location(member=f"x_{NUMBERS[0]}.txt", name="member")) == \
        (f"x_********{NUMBERS[0][-4:]}.txt!member name", "resource")


def test_the_schema_refuses_what_code_scanning_would(validator: jsonschema.protocols.Validator) -> None:
    """The vendored schema is the real one: a result without its message, or a region line of 0, is refused."""
    good = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [
        {"message": {"text": "m"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a"},
                                                                       "region": {"startLine": 1}}}]}]}]}
    assert validator.is_valid(good)
    no_message = json.loads(json.dumps(good))
    del no_message["runs"][0]["results"][0]["message"]
    line_zero = json.loads(json.dumps(good))
    line_zero["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert not validator.is_valid(no_message) and not validator.is_valid(line_zero)
