"""The scanner section: read rate and p50/p95 per image (load included) on the seeded hard corpus, the
project's pipeline against pyzbar alone and zxing-cpp alone, no-code frames separately, which step
of the pipeline reads which category, and what each step of the pipeline costs (ScanResult.tried: how
many images reached it, how many it read, its median and total time over the corpus)."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pos_plugin.lab.scanner.hard import HardSample, corpus
from pos_plugin.qr import image, scan_image, zbar, zxing
from tools.bench.stats import Row, info, percentile
from tools.bench.targets import scanner_figure

SEEDS = Path(__file__).resolve().parents[2] / "tests" / "data" / "scanner_hard_corpus.json"


@dataclass(frozen=True)
class ScannerConfig:
    per_category: int


Tried = tuple[tuple[str, float], ...]
Decode = Callable[[bytes], tuple[tuple[str, ...], str | None, Tried]]


def _alone(decode: Callable[[Any], list[str]]) -> Decode:
    def run(data: bytes) -> tuple[tuple[str, ...], str | None, Tried]:
        codes = decode(image.to_frame(image.load_gray(data)))
        return tuple(codes), "alone" if codes else None, ()
    return run


def _pipeline(data: bytes) -> tuple[tuple[str, ...], str | None, Tried]:
    result = scan_image(data)
    return result.codes, result.step, result.tried


def _measure(samples: list[HardSample], decode: Decode) -> list[dict[str, Any]]:
    out = []
    for sample in samples:
        started = time.perf_counter()
        codes, step, tried = decode(sample.data)
        ms = (time.perf_counter() - started) * 1000
        wrong = bool(set(codes) - set(sample.expected))
        read = bool(sample.expected) and set(sample.expected) <= set(codes) and not wrong
        out.append({"category": sample.category, "seed": sample.seed, "ms": ms, "read": read, "wrong": wrong,
                    "step": step, "tried": tried})
    return out


def _step_rows(results: list[dict[str, Any]]) -> tuple[list[Row], dict[str, Any]]:
    """Per step of the pipeline, in the order the images reach them: images that reached it, images it
    read, its median and total milliseconds over the corpus (no-code frames included: they pay every step)."""
    times: dict[str, list[float]] = {}
    for r in results:
        for step, ms in r["tried"]:
            times.setdefault(step, []).append(ms)
    read = Counter(r["step"] for r in results if r["read"])
    rows, raw = [], {}
    for step, spent in times.items():
        p50, total = percentile(spent, 50), sum(spent)
        rows.append(info("scanner", f"pipeline step {step}: {len(spent)} images reached it, it read {read[step]}, "
                                    f"total {total:.0f} ms, median", p50, "ms"))
        raw[step] = {"reached": len(spent), "read": read[step], "p50_ms": p50, "total_ms": total}
    return rows, raw


def run(cfg: ScannerConfig) -> tuple[list[Row], dict[str, Any]]:
    seeds = json.loads(SEEDS.read_text(encoding="utf-8"))["seeds"]
    samples = corpus(seeds, cfg.per_category)
    decoders = {"pipeline": _pipeline, "pyzbar alone": _alone(zbar.decode)}
    if zxing.available():
        decoders["zxing-cpp alone"] = _alone(zxing.decode)
    rows: list[Row] = []
    step_rows: list[Row] = []
    raw: dict[str, Any] = {}
    for name, decode in decoders.items():
        _measure(samples[:2], decode)  # warm-up: imports, first library calls
        results = _measure(samples, decode)
        coded = [r for r in results if r["category"] != "no_code"]
        empty = [r for r in results if r["category"] == "no_code"]
        rate = 100 * sum(r["read"] for r in coded) / len(coded)
        wrong = sum(r["wrong"] for r in results)
        p50, p95 = percentile([r["ms"] for r in coded], 50), percentile([r["ms"] for r in coded], 95)
        none_p50 = percentile([r["ms"] for r in empty], 50)
        label = f"{name} ({len(coded)} images)"
        if name == "pipeline":
            rows += [info("scanner", scanner_figure("read rate"), rate, "%"),
                     info("scanner", scanner_figure("wrong codes"), wrong, "codes"),
                     info("scanner", scanner_figure("p50 per image (incl. load)"), p50, "ms"),
                     info("scanner", scanner_figure("p95 per image (incl. load)"), p95, "ms"),
                     info("scanner", scanner_figure("no-code frame p50"), none_p50, "ms"),
                     info("scanner", scanner_figure("images with a code"), len(coded), "img"),
                     info("scanner", scanner_figure("no-code frames"), len(empty), "img")]
        else:
            rows += [info("scanner", f"{label} read rate", rate, "%"), info("scanner", f"{name} wrong codes", wrong, "codes"),
                     info("scanner", f"{name} p50 per image (incl. load)", p50, "ms"),
                     info("scanner", f"{name} p95 per image (incl. load)", p95, "ms"),
                     info("scanner", f"{name} no-code frame p50", none_p50, "ms")]
        by_category = {c: f"{sum(r['read'] for r in coded if r['category'] == c)}/"
                          f"{sum(1 for r in coded if r['category'] == c)}"
                       for c in dict.fromkeys(r["category"] for r in coded)}
        raw[name] = {"by_category": by_category, "missed": [(r["category"], r["seed"]) for r in coded if not r["read"]],
                     "steps": {c: dict(Counter(r["step"] for r in coded if r["category"] == c and r["read"]))
                               for c in by_category}}
        if name == "pipeline":
            step_rows, raw["pipeline"]["cost_per_step"] = _step_rows(results)
    for category, steps in raw["pipeline"]["steps"].items():
        read = raw["pipeline"]["by_category"][category]
        shown = ", ".join(f"{s}:{n}" for s, n in sorted(steps.items(), key=lambda kv: -kv[1])) or "none"
        rows.append(info("scanner", f"pipeline {category} read {read} by {shown}", float(read.split('/')[0]), "img"))
    return rows + step_rows, raw
