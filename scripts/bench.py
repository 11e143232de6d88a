#!/usr/bin/env python3
"""Benchmark: mynumber against ripgrep and cat on the same files, in the same run, as ratios.

These machines are noisy (2 cores, shared), so nothing here is an absolute target: each round times cat,
ripgrep and mynumber back to back, and the ratio mynumber/ripgrep is taken per round, then the median.

Corpus (generated once into --dir, seeded, reused while its parameters are unchanged):
  logs/      ASCII application logs, 8 rotated files, each line with a 10-16 digit ID (request ids, order
             numbers, session ids) and often a 14-digit timestamp, a few 4-4-4-4 card numbers; 5% of IDs have
             exactly 12 digits (a tenth of those pass the check digit by chance: about 40,000 valid-looking
             numbers per GB, twice the density of the logs measured in shared/design/PERFORMANCE.md), plus
             planted My Numbers with keywords, in query strings.
  japanese/  Japanese prose with half- and full-width numbers, dates, phone numbers and amounts, in UTF-8
             and in CP932, with planted numbers in the forms people write them.
  files/     100,000 small files of about 4 KB in 100 folders.
  japanese-dense/  Japanese office data dense with numbers (about 8 runs of 4 or more digits per KB, a sixth of
             all characters digits): phone numbers in half- and full-width, 11-digit employee numbers, postal
             codes, full-width dates, amounts, 12- and 13-digit order and corporate numbers, and a sprinkle of
             My Numbers with and without keywords; the same text in UTF-8, CP932 and EUC-JP, one part each
             (generated apart, with its own seed and marker, so the other parts stay as they are).

Targets on a 2-core machine (issue 17): logs, Japanese text and dense Japanese in UTF-8 and CP932 >= 1.0 of
ripgrep's MB/s (ripgrep decodes CP932 and EUC-JP to UTF-8 first), small files >= 0.35 of ripgrep's files/s;
dense EUC-JP is reported.

    python scripts/bench.py                      # full size (about 1 GB of corpus)
    python scripts/bench.py --scale 0.05 --rounds 1
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from detector.mynumber import calc_check_digit

TARGETS: dict[str, float | None] = {"logs": 1.0, "japanese": 1.0, "files": 0.35, "dense-utf-8": 1.0,
                                    "dense-cp932": 1.0, "dense-euc-jp": None}
DENSE_ENCODINGS = {"dense-utf-8": "utf-8", "dense-cp932": "cp932", "dense-euc-jp": "euc-jp"}
RG_ENCODINGS = {"cp932": "shift_jis", "euc-jp": "euc-jp"}
FW = str.maketrans("0123456789", "０１２３４５６７８９")
LOG_PATTERN = r"(?:^|[^0-9])[0-9]{12}(?:[^0-9]|$)"
JP_PATTERN = r"(?:^|[^0-9０-９])[0-9０-９]{12}(?:[^0-9０-９]|$)"


def my_number(rng: random.Random) -> str:
    body = "".join(rng.choice("0123456789") for _ in range(11))
    return body + calc_check_digit(body)


def digits(rng: random.Random, n: int) -> str:
    return str(rng.randrange(10 ** (n - 1), 10**n))


# -- corpus ---------------------------------------------------------------------------------------------

def make_logs(folder: Path, total_mb: float, rng: random.Random) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    planted: list[str] = []
    lengths = [10, 10, 11, 13, 13, 14, 14, 16, 16, 10, 11, 13, 14, 16, 10, 11, 13, 14, 16, 12]  # 5% twelve
    files = 8
    per_file = int(total_mb * 1e6 / files)
    for index in range(files):
        lines: list[str] = []
        size = 0
        second = 0
        while size < per_file:
            second += 1
            ts = f"2026-11-{1 + index:02d}T{second // 3600 % 24:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
            kind = rng.random()
            if kind < 0.45:
                line = (f"{ts}.{rng.randrange(1000):03d}+09:00 INFO  [req-{digits(rng, rng.choice(lengths))}] GET "
                        f"/api/v1/items/{rng.randrange(99999)} status=200 bytes={rng.randrange(99999)} "
                        f"took={rng.randrange(900)}ms\n")
            elif kind < 0.75:
                line = (f"{ts} app[{rng.randrange(30000)}]: order {digits(rng, rng.choice(lengths))} shipped to "
                        f"customer {digits(rng, 8)} via warehouse {rng.randrange(40)}\n")
            elif kind < 0.9945:
                line = (f"{ts} batch job={digits(rng, 6)} started_at={20261101000000 + second} "
                        f"session={digits(rng, rng.choice(lengths))} user=u{digits(rng, 5)}\n")
            elif kind < 0.9995:
                card = "-".join(digits(rng, 4) for _ in range(4))
                line = f"{ts} payment approved card={card} amount={rng.randrange(100, 99999)} yen\n"
            else:
                number = my_number(rng)
                planted.append(number)
                line = f"{ts} WARN  GET /members/register?name=yamada&my_number={number} status=400\n"
            lines.append(line)
            size += len(line)
        (folder / f"app.log.{index}").write_text("".join(lines), encoding="ascii")
    return planted


WORDS = ("本日は", "申請書を", "提出しました。", "ご確認", "お願いいたします。", "会議資料", "について、",
         "東京都千代田区", "担当者", "から", "連絡がありました。", "経理部", "の", "山田様", "請求書", "見積書",
         "契約", "更新", "年度", "予算")


def japanese_text(rng: random.Random, size: int, planted: list[str]) -> str:
    out: list[str] = []
    length = 0
    while length < size:
        parts = []
        for _ in range(rng.randrange(8, 30)):
            parts.append(rng.choice(WORDS))
            roll = rng.random()
            if roll < 0.05:
                parts.append(f"{rng.randrange(2020, 2027)}年{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日")
            elif roll < 0.08:
                parts.append(f"電話 0{rng.randrange(3, 99)}-{digits(rng, 4)}-{digits(rng, 4)}")
            elif roll < 0.11:
                parts.append(f"{rng.randrange(1000, 9999999):,}円".translate(FW if rng.random() < 0.5 else {}))
            elif roll < 0.12:
                parts.append(f"伝票{digits(rng, rng.choice((8, 10, 13)))}".translate(FW if rng.random() < 0.5 else {}))
        if rng.random() < 0.002:
            number = my_number(rng)
            planted.append(number)
            form = rng.choice((f"個人番号：{number.translate(FW)}",
                               f"マイナンバー {number[:4]}-{number[4:8]}-{number[8:]}",
                               f"{number[:4]}　{number[4:8]}　{number[8:]}".translate(FW)))
            parts.append("、" + form + "、")  # set apart, as people write it (not glued to other digits)
        line = "".join(parts) + "\n"
        out.append(line)
        length += len(line.encode("utf-8"))
    return "".join(out)


def make_japanese(folder: Path, total_mb: float, rng: random.Random) -> list[str]:
    planted: list[str] = []
    for encoding in ("utf-8", "cp932"):
        sub = folder / encoding
        sub.mkdir(parents=True, exist_ok=True)
        for index in range(8):
            text = japanese_text(rng, int(total_mb * 1e6 / 16), planted)
            (sub / f"文書{index}.txt").write_bytes(text.encode(encoding))
    return planted


NAMES = ("山田太郎", "佐藤花子", "鈴木一郎", "高橋美咲", "田中健太", "伊藤由美", "渡辺翔", "中村真理子")
DEPTS = ("経理部", "人事部", "営業第二課", "総務課", "情報システム部", "品質保証部")
PLACES = ("千葉県松戸市", "東京都千代田区", "大阪府大阪市北区", "北海道札幌市中央区", "福岡県福岡市博多区")
PROSE = ("ご確認ください。", "変更がありました。", "と連絡済み。", "備考なし。", "至急対応のこと。", "を添付します。",
         "担当者から連絡がありました。", "申請書を提出しました。", "会議資料について、",
         "契約の更新をお願いいたします。", "本日は", "見積書と請求書を送付しました。")


def dense_field(rng: random.Random) -> str:
    """One field of an office record: mostly numbers, written half- or full-width as people do."""
    wide = rng.random() < 0.5
    roll = rng.random()
    if roll < 0.22:
        area = rng.choice(("03", "06", "064", "0120", "090", "045"))
        body = f"{area}-{digits(rng, 3 if len(area) == 4 else 4)}-{digits(rng, 4)}"
        text = "電話 " + (body.translate(FW).replace("-", "－") if wide else body)
    elif roll < 0.36:
        text = f"社員番号 {digits(rng, 11)}"
    elif roll < 0.48:
        text = f"〒{digits(rng, 3)}-{digits(rng, 4)} {rng.choice(PLACES)}{rng.randrange(1, 9)}丁目"
    elif roll < 0.66:
        text = f"{rng.randrange(2019, 2027)}年{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日".translate(FW)
    elif roll < 0.84:
        text = f"{rng.randrange(1000, 99999999):,}円"
        text = text.translate(FW) if wide else text
    elif roll < 0.93:
        text = f"受注番号 {digits(rng, 12)}"  # a tenth pass the check digit by chance, as real IDs do
        text = text.translate(FW) if wide else text
    else:
        text = f"法人番号 {digits(rng, 13)}"
    return text


def japanese_dense_text(rng: random.Random, size: int, planted: list[str]) -> str:
    out: list[str] = []
    length = 0
    while length < size:
        parts = [rng.choice(NAMES), rng.choice(DEPTS)]
        for _ in range(rng.randrange(3, 7)):
            parts.append(dense_field(rng))
            parts.append("".join(rng.choice(PROSE) for _ in range(rng.randrange(2, 5))))
        if rng.random() < 0.004:
            number = my_number(rng)
            planted.append(number)
            parts.append(rng.choice((f"個人番号：{number.translate(FW)}", f"マイナンバー {number}",
                                     f"{number[:4]}-{number[4:8]}-{number[8:]}",
                                     f"{number[:4]}　{number[4:8]}　{number[8:]}".translate(FW), number)))
        line = "、".join(parts) + "\n"
        out.append(line)
        length += len(line.encode("utf-8"))
    return "".join(out)


def make_japanese_dense(folder: Path, total_mb: float) -> list[str]:
    """The same text in each encoding (so the parts differ only by it), 8 files each. EUC-JP has no full-width
    hyphen-minus (U+FF0D): its minus sign (U+2212, also a separator) stands for it."""
    rng = random.Random(20261203)
    planted: list[str] = []
    texts = [japanese_dense_text(rng, int(total_mb * 1e6 / 8), planted) for _ in range(8)]
    for encoding in DENSE_ENCODINGS.values():
        sub = folder / encoding
        sub.mkdir(parents=True, exist_ok=True)
        for index, text in enumerate(texts):
            written = text.replace("－", "−") if encoding == "euc-jp" else text
            (sub / f"台帳{index}.txt").write_bytes(written.encode(encoding))
    return planted


def make_files(folder: Path, count: int, rng: random.Random) -> list[str]:
    planted: list[str] = []
    for index in range(count):
        sub = folder / f"dir{index // 1000:03d}"
        if index % 1000 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        text = japanese_text(rng, 3600, planted) if index % 2 else "".join(
            f"2026-11-01 10:{i:02d} INFO user={digits(rng, 8)} action=login id={digits(rng, 10)}\n" for i in range(45))
        if index % 997 == 0:
            number = my_number(rng)
            planted.append(number)
            text += f"個人番号 {number}\n"
        (sub / f"note{index:06d}.txt").write_bytes(text.encode("utf-8"))
    return planted


def corpus(base: Path, scale: float) -> dict[str, list[str]]:
    marker = base / "corpus.json"
    params = {"scale": scale, "version": 4}
    if marker.exists():
        saved = json.loads(marker.read_text())
        if saved.get("params") == params:
            return dict(saved["planted"])
    if base.exists():
        shutil.rmtree(base)
    rng = random.Random(20261122)
    started = time.time()
    planted = {
        "logs": make_logs(base / "logs", 520 * scale, rng),
        "japanese": make_japanese(base / "japanese", 400 * scale, rng),
        "files": make_files(base / "files", max(100, int(100_000 * scale)), rng),
    }
    marker.write_text(json.dumps({"params": params, "planted": planted}))
    print(f"corpus generated in {time.time() - started:.0f} s", file=sys.stderr)
    return planted


def dense_corpus(base: Path, scale: float) -> list[str]:
    """The dense Japanese part, generated apart from the others (its own marker)."""
    folder = base / "japanese-dense"
    marker = folder / "corpus.json"
    params = {"scale": scale, "version": 1}
    if marker.exists():
        saved = json.loads(marker.read_text())
        if saved.get("params") == params:
            return list(saved["planted"])
    if folder.exists():
        shutil.rmtree(folder)
    started = time.time()
    planted = make_japanese_dense(folder, 200 * scale)
    marker.write_text(json.dumps({"params": params, "planted": planted}))
    print(f"dense corpus generated in {time.time() - started:.0f} s", file=sys.stderr)
    return planted


# -- timing ---------------------------------------------------------------------------------------------

@dataclass
class Part:
    name: str
    folder: Path
    unit: str  # "MB/s" or "files/s"
    amount: float = 0.0
    times: dict[str, list[float]] = field(default_factory=lambda: {"cat": [], "rg": [], "mynumber": []})
    rss_kb: list[int] = field(default_factory=list)
    check: str = ""


def timed(command: list[str], cwd: Path | None = None, shell: bool = False, env: dict[str, str] | None = None,
          ok: tuple[int, ...] = (0, 1)) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    start = time.perf_counter()
    done = subprocess.run(command if not shell else " ".join(command), shell=shell, cwd=cwd, env=env,
                          capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr[-500:].decode(errors='replace')}")
    return elapsed, done


def rg_commands(part: Part) -> list[list[str]]:
    base = ["rg", "--count", "--no-ignore", "--hidden", "-j2"]
    if part.name == "logs":
        return [[*base, "-e", LOG_PATTERN, str(part.folder)]]
    if part.name == "japanese":
        return [[*base, "-e", JP_PATTERN, str(part.folder / "utf-8")],
                [*base, "-E", "shift_jis", "-e", JP_PATTERN, str(part.folder / "cp932")]]
    if part.name in DENSE_ENCODINGS:
        encoding = RG_ENCODINGS.get(DENSE_ENCODINGS[part.name])
        return [[*base, *(("-E", encoding) if encoding else ()), "-e", JP_PATTERN, str(part.folder)]]
    return [[*base, "-e", JP_PATTERN, str(part.folder)]]


def mynumber_command(args: argparse.Namespace) -> list[str]:
    if args.mynumber:
        return args.mynumber.split()
    beside = Path(sys.executable).with_name("mynumber")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "detector"]


def run_round(part: Part, mynumber: list[str], env: dict[str, str]) -> dict[str, object]:
    elapsed, _ = timed(["find", str(part.folder), "-type", "f", "-print0", "|", "xargs", "-0", "cat", ">",
                        "/dev/null"], shell=True)
    part.times["cat"].append(elapsed)
    total = 0.0
    for command in rg_commands(part):
        elapsed, _ = timed(command)
        total += elapsed
    part.times["rg"].append(total)
    # The default --min-confidence (medium): what a scheduled scan runs. Planted numbers carry keywords.
    elapsed, stdout, peak_kb = timed_with_peak([*mynumber, "scan", str(part.folder), "--jobs", "2", "--format",
                                                "json"], env=env, ok=(0, 1, 3))
    part.rss_kb.append(peak_kb)
    part.times["mynumber"].append(elapsed)
    doc = json.loads(stdout)
    return dict(doc)


def timed_with_peak(command: list[str], env: dict[str, str], ok: tuple[int, ...]) -> tuple[float, bytes, int]:
    """Time one command and take the peak resident memory of its process tree. It is started by a small
    Python process that reports RUSAGE_CHILDREN: a child of this benchmark would carry this process's own peak
    (Linux keeps the high-water mark of the memory a child starts from), and RUSAGE_CHILDREN here would include
    ripgrep's mapped files."""
    starter = ("import resource, subprocess, sys, time; start = time.perf_counter(); "
               "code = subprocess.call(sys.argv[1:]); elapsed = time.perf_counter() - start; "
               "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss; "
               "sys.stderr.write(f'\\nbench: {elapsed} {peak}\\n'); sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", starter, *command], env=env, capture_output=True)
    if done.returncode not in ok:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr[-500:].decode(errors='replace')}")
    report = [line for line in done.stderr.decode(errors="replace").splitlines() if line.startswith("bench: ")]
    elapsed, peak = report[-1].removeprefix("bench: ").split()
    return float(elapsed), done.stdout, int(peak)


def check_planted(doc: dict[str, object], planted: list[str]) -> str:
    findings = doc["findings"]
    assert isinstance(findings, list)
    masked = {f["masked"] for f in findings}
    found = sum(1 for number in planted if "********" + number[-4:] in masked)
    return f"planted numbers found: {found}/{len(planted)}"


def report(parts: list[Part]) -> dict[str, object]:
    results: dict[str, object] = {}
    print(f"\n{'part':<12} {'amount':>12} {'cat':>12} {'ripgrep':>12} {'mynumber':>12} {'ratio':>7} "
          f"{'target':>7}  verdict     peak RSS")
    for part in parts:
        rates = {tool: [part.amount / t for t in times] for tool, times in part.times.items()}
        ratios = [m / r for m, r in zip(rates["mynumber"], rates["rg"], strict=True)]
        ratio = statistics.median(ratios)
        target = TARGETS[part.name]
        verdict = "reported" if target is None else "meets target" if ratio >= target else "below target"
        amount = f"{part.amount:,.0f} {'MB' if part.unit == 'MB/s' else 'files'}"
        medians = {tool: statistics.median(values) for tool, values in rates.items()}
        print(f"{part.name:<12} {amount:>12} {medians['cat']:>8,.0f} {part.unit:<3} {medians['rg']:>8,.0f} "
              f"{part.unit:<3} {medians['mynumber']:>8,.0f} {part.unit:<3} {ratio:>7.2f} {target or 0:>7.2f}  "
              f"{verdict:<12} {max(part.rss_kb) / 1024:,.0f} MiB")
        print(f"{'':<12} {part.check}")
        results[part.name] = {"unit": part.unit, "amount": part.amount, "median_rates": medians,
                              "ratio_mynumber_over_rg": ratio, "per_round_ratios": ratios, "target": target,
                              "meets_target": target is None or ratio >= target,
                              "peak_rss_mib": max(part.rss_kb) / 1024,
                              "check": part.check}
    return results


def ensure_ripgrep() -> None:
    if shutil.which("rg"):
        return
    print("installing ripgrep (Debian package) for the comparison", file=sys.stderr)
    prefix = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*prefix, "apt-get", "install", "-y", "-qq", "ripgrep"], check=False, capture_output=True)
    if not shutil.which("rg"):
        subprocess.run([*prefix, "apt-get", "update", "-qq"], check=False, capture_output=True)
        subprocess.run([*prefix, "apt-get", "install", "-y", "-qq", "ripgrep"], check=False, capture_output=True)
    if not shutil.which("rg"):
        sys.exit("bench: ripgrep is needed and could not be installed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", default="/tmp/mynumber-bench", help="corpus folder (kept between runs)")
    parser.add_argument("--scale", type=float, default=1.0, help="corpus size factor (1.0: full size)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="logs,japanese,dense-utf-8,dense-cp932,dense-euc-jp,files",
                        help="comma-separated parts")
    parser.add_argument("--mynumber", help="command to run mynumber (default: the one beside this Python)")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--generate-only", action="store_true")
    args = parser.parse_args()

    base = Path(args.dir)
    planted = corpus(base, args.scale)
    dense = dense_corpus(base, args.scale)
    planted.update({name: dense for name in DENSE_ENCODINGS})
    if args.generate_only:
        return
    ensure_ripgrep()
    env = {**os.environ, "MYNUMBER_KEY": "bench"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a real installation has its bytecode compiled
    mynumber = mynumber_command(args)
    subprocess.run([*mynumber, "scan", str(base / "files" / "dir000"), "--format", "json"], env=env,
                   capture_output=True, check=False)  # warm: bytecode and the compiled-pattern cache
    parts = []
    for name in args.only.split(","):
        folder = base / "japanese-dense" / DENSE_ENCODINGS[name] if name in DENSE_ENCODINGS else base / name
        files = [p for p in folder.rglob("*") if p.is_file()]
        unit = "files/s" if name == "files" else "MB/s"
        amount = len(files) if name == "files" else sum(p.stat().st_size for p in files) / 1e6
        parts.append(Part(name, folder, unit, amount))
    for round_number in range(args.rounds):
        for part in parts:
            doc = run_round(part, mynumber, env)
            part.check = check_planted(doc, planted[part.name])
        print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr)
    results = report(parts)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
