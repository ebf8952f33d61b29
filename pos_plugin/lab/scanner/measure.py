"""Measure the scanner on the project's own test images: decode rate and time per image.

    python -m pos_plugin.lab.scanner.measure [--repeat 5] [--source png|image]

Builds the deterministic image set of synth.sample_set() (normal, small, low-contrast, inverted,
rotated, noisy 720p camera frames, heavy noise, several codes per frame) and decodes every image with
the zbar pipeline alone and, when zxing-cpp is installed, with its first pass. An image counts as
decoded when every code it holds is found and nothing else is. Times are wall-clock per image
(the median of `--repeat` runs), from PNG bytes by default (so they include reading the PNG).
"""

from __future__ import annotations

import argparse
import math
import platform
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata

from pos_plugin.lab.scanner.synth import Sample, sample_set, to_png
from pos_plugin.qr import fast_decoding_available, scan_image


@dataclass(frozen=True)
class Outcome:
    sample: Sample
    decoded: bool
    misread: bool
    step: str | None
    millis: float


def measure(samples: Sequence[Sample], *, fast: bool, repeat: int, source: str) -> list[Outcome]:
    outcomes = []
    for sample in samples:
        data = to_png(sample.image) if source == "png" else sample.image
        times: list[float] = []
        codes: tuple[str, ...] = ()
        step: str | None = None
        for _ in range(repeat):
            start = time.perf_counter()
            result = scan_image(data, fast=fast)
            times.append((time.perf_counter() - start) * 1000)
            codes, step = result.codes, result.step
        decoded = set(sample.expected) <= set(codes)
        misread = bool(set(codes) - set(sample.expected))
        outcomes.append(Outcome(sample, decoded and not misread, misread, step, statistics.median(times)))
    return outcomes


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def summary_row(label: str, outcomes: Sequence[Outcome]) -> str:
    millis = [outcome.millis for outcome in outcomes]
    decoded = sum(outcome.decoded for outcome in outcomes)
    return (
        f"{label:<14}{len(outcomes):>4}{decoded:>5}/{len(outcomes):<3}{100 * decoded / len(outcomes):>6.1f}%"
        f"{statistics.median(millis):>10.1f}{p95(millis):>9.1f}{max(millis):>9.1f}"
    )


def report(title: str, outcomes: Sequence[Outcome]) -> list[str]:
    lines = [title, f"{'category':<14}{'n':>4}{'decoded':>9}{'rate':>7}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}"]
    categories = list(dict.fromkeys(outcome.sample.category for outcome in outcomes))
    for category in categories:
        lines.append(summary_row(category, [o for o in outcomes if o.sample.category == category]))
    lines.append(summary_row("ALL", outcomes))
    misreads = [o.sample.name for o in outcomes if o.misread]
    failures = [o.sample.name for o in outcomes if not o.decoded]
    steps = statistics.multimode([o.step for o in outcomes]) if outcomes else []
    lines.append(f"not decoded: {failures or 'none'}; misread: {misreads or 'none'}; commonest step: {steps}")
    return lines


def environment() -> str:
    versions = []
    for package in ("pyzbar", "Pillow", "zxing-cpp"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    return f"Python {platform.python_version()} on {platform.machine()}; " + ", ".join(versions)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pos_plugin.lab.scanner.measure", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per image; the median is reported")
    parser.add_argument("--source", choices=("png", "image"), default="png", help="decode PNG bytes or a Pillow image")
    parser.add_argument("--list", action="store_true", help="also print every image: decoded?, step, time")
    args = parser.parse_args(argv)
    samples = sample_set()
    print(environment())
    print(f"{len(samples)} images, median of {args.repeat} runs each, from {args.source}")
    modes = [("zbar pipeline only (fast=False)", False)]
    if fast_decoding_available():
        modes.append(("zxing-cpp first pass, then the zbar pipeline (fast=True)", True))
    for title, fast in modes:
        outcomes = measure(samples, fast=fast, repeat=args.repeat, source=args.source)
        print()
        print("\n".join(report(title, outcomes)))
        if args.list:
            for o in outcomes:
                verdict = "ok" if o.decoded else ("MISREAD" if o.misread else "missed")
                print(f"  {o.sample.category:<13}{o.sample.name:<30}{verdict:<8}{o.step or '-':<10}{o.millis:>8.1f} ms")


if __name__ == "__main__":
    main()
