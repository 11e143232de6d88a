"""Sample numbers you add to your rules are given by fingerprint (with the key id of the scan it came from), so
a rules file never holds a number; the old raw ``number`` form is still read in a --rules DIR, with a warning that
names the file and the entry and never the number; the packaged published examples keep it, silently."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from detector.errors import RulesError
from detector.rules import load_rules

from .conftest import valid_number
from .test_cli import run

NUMBER = valid_number(11)


def findings_of(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    done = run(["scan", "--format", "json", *args, "share"], tmp_path)
    return done.returncode, json.loads(done.stdout) if done.stdout else {}, done.stderr


@pytest.fixture
def share(tmp_path: Path) -> Path:
    (tmp_path / "share").mkdir()
    (tmp_path / "share" / "form.txt").write_text(f"記入例 個人番号: {NUMBER}\n")
    return tmp_path


def rules_dir(tmp_path: Path, sample: str) -> Path:
    folder = tmp_path / "my-rules"
    folder.mkdir(exist_ok=True)
    (folder / "detection.toml").write_text(f"schema = 1\n\n[[sample]]\nid = \"form-example\"\n{sample}"
                                           "reason = \"the example printed on our form template\"\n")
    return folder


def test_a_sample_given_by_fingerprint_is_a_sample_not_a_person(share: Path) -> None:
    _, doc, _ = findings_of(share)
    finding = doc["findings"][0]
    fingerprint, key_id = finding["fingerprint"], doc["scan"]["key_id"]
    rules = rules_dir(share, f'fingerprint = "{fingerprint}"\nkey_id = "{key_id}"\n')
    assert NUMBER not in (rules / "detection.toml").read_text()
    status, doc, stderr = findings_of(share, "--rules", str(rules))
    assert status == 0 and doc["findings"] == [] and stderr == ""
    assert [(s["path"], s["sample"]) for s in doc["samples"]] == [("share/form.txt", "form-example")]


def test_a_sample_fingerprint_made_under_another_key_is_refused(share: Path) -> None:
    rules = rules_dir(share, f'fingerprint = "{"a" * 64}"\nkey_id = "feedfacecafebeef"\n')
    status, _, stderr = findings_of(share, "--rules", str(rules))
    assert status == 2
    assert "my-rules/detection.toml: sample 'form-example': its fingerprint was made with the key feedface" in stderr


def test_a_malformed_sample_fingerprint_is_a_rules_error(share: Path) -> None:
    with pytest.raises(RulesError, match="fingerprint must be 64 hex digits"):
        load_rules([rules_dir(share, 'fingerprint = "abc"\nkey_id = "0000000000000000"\n')])
    with pytest.raises(RulesError, match="needs `key_id`"):
        load_rules([rules_dir(share, f'fingerprint = "{"a" * 64}"\n')])


def test_the_old_number_form_is_read_with_a_warning_that_holds_no_number(share: Path) -> None:
    rules = rules_dir(share, f'number = "{NUMBER}"\n')
    status, doc, stderr = findings_of(share, "--rules", str(rules))
    assert status == 0 and [s["sample"] for s in doc["samples"]] == ["form-example"]
    assert "detection.toml: sample 'form-example': `number` is deprecated" in stderr
    assert "fingerprint" in stderr and NUMBER not in stderr


def test_the_packaged_published_examples_need_no_warning(share: Path) -> None:
    (share / "share" / "form.txt").write_text("個人番号: 123456789018\n")
    status, doc, stderr = findings_of(share)
    assert status == 0 and stderr == "" and doc["samples"][0]["sample"] == "official-example"
