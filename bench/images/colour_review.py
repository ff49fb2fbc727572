"""The studio review of colour-dev: every photo beside its result, and the verdict table's counts.

    .venv/bin/python -m bench.images.colour_review sheets [OUT_DIR]
        Runs `irisd.pipeline.process` (default options) on every photo of
        $IRISD_DATA/colour-dev (manifest.csv), and writes per photo one PNG at a readable size:
        the photo cropped to the window the result covers beside the result on mid-grey,
        captioned (file, accepted or the refusal, quality_score, size, first note). Also
        OUT_DIR/scores.tsv: image, accepted, quality_score, notes (count). Default
        /tmp/irisd-review. Look at each tile and write one verdict a photo into a table of
        the format of colour-dev/review-baseline.tsv (image, verdict, flaws).

    .venv/bin/python -m bench.images.colour_review count TABLE [--before TABLE] [--scores TSV]
        Counts the verdicts (PRINTABLE, MINOR, FLAWED, WRONG, REFUSED-RIGHT, REFUSED-WRONG),
        the shares of the accepted that are PRINTABLE + MINOR and PRINTABLE, lists every photo
        whose verdict differs from --before, and with --scores the Spearman correlation of
        quality_score with the verdict (PRINTABLE 3, MINOR 2, FLAWED 1, WRONG 0) over the
        accepted photos, with its ceiling (the verdicts' ties cap it: with 69 of 81 FLAWED no
        score reaches more than 0.62), how well the score puts WRONG under the rest and the
        best verdict above the next (AUC), and every reviewed result the scores leave out.

The tables are kept in bench/images/: colour-review-*.tsv. They name photos and flaws only: the
photos and results stay out of the project (colour-dev's terms).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from bench.lib.art_runs import run_bytes
from bench.lib.contact_sheets import Entry, Layout, tile
from bench.lib.datasets import require_root
from irisd.pipeline import PipelineOptions

READABLE = Layout(panel=560, columns=1, rows=1, scale=0.5)
RANK = {"PRINTABLE": 3, "MINOR": 2, "FLAWED": 1, "WRONG": 0}
VERDICTS = (*RANK, "REFUSED-RIGHT", "REFUSED-WRONG")


def sheets(out: Path) -> None:
    root = require_root() / "colour-dev"
    out.mkdir(parents=True, exist_ok=True)
    with (root / "manifest.csv").open(newline="") as manifest:
        rows = list(csv.DictReader(manifest))
    with (out / "scores.tsv").open("w", newline="") as table:
        writer = csv.writer(table, delimiter="\t")
        writer.writerow(["image", "accepted", "quality_score", "notes"])
        for number, row in enumerate(rows, 1):
            outcome = run_bytes(row["image"], (root / row["image"]).read_bytes(), PipelineOptions())
            art = outcome.art
            picture = tile(Entry(outcome, None, outcome.rgb), READABLE, outline=False)
            path = out / f"{number:02d}-{Path(row['image']).stem}.png"
            cv2.imwrite(str(path), picture[:, :, ::-1])
            score = "" if art is None else f"{art.result.quality_score:.4f}"
            notes = "" if art is None else str(len(art.result.quality_notes))
            writer.writerow([row["image"], int(art is not None), score, notes])
            print(path, "refused" if art is None else score, flush=True)


def read(path: Path) -> dict[str, str]:
    with path.open(newline="") as table:
        verdicts = {row["image"]: row["verdict"] for row in csv.DictReader(table, delimiter="\t")}
    unknown = set(verdicts.values()) - set(VERDICTS)
    if unknown:
        raise SystemExit(f"{path}: unknown verdicts {sorted(unknown)}")
    return verdicts


def spearman(a: list[float], b: list[float]) -> float:
    """Spearman's rank correlation (average ranks for ties)."""

    def ranks(values: list[float]) -> np.ndarray:
        order = np.argsort(values, kind="stable")
        out = np.empty(len(values))
        out[order] = np.arange(len(values))
        array = np.asarray(values)
        for value in set(values):
            same = array == value
            out[same] = out[same].mean()
        return out

    return float(np.corrcoef(ranks(a), ranks(b))[0, 1])


def count(table: Path, before: Path | None, scores: Path | None) -> None:
    verdicts = read(table)
    totals = {verdict: sum(v == verdict for v in verdicts.values()) for verdict in VERDICTS}
    accepted = sum(totals[v] for v in RANK)
    print(", ".join(f"{verdict} {totals[verdict]}" for verdict in VERDICTS))
    good = totals["PRINTABLE"] + totals["MINOR"]
    print(
        f"accepted {accepted}: PRINTABLE + MINOR {good} ({100 * good / max(1, accepted):.0f} %),"
        f" PRINTABLE {totals['PRINTABLE']} ({100 * totals['PRINTABLE'] / max(1, accepted):.0f} %)"
    )
    if before is not None:
        earlier = read(before)
        changed = [(image, earlier.get(image, "-"), v) for image, v in verdicts.items()]
        changed = [c for c in changed if c[1] != c[2]]
        print(f"changed {len(changed)} of {len(verdicts)}:")
        for image, old, new in changed:
            print(f"  {image}: {old} -> {new}")
    if scores is not None:
        with scores.open(newline="") as table_file:
            score = {
                row["image"]: float(row["quality_score"])
                for row in csv.DictReader(table_file, delimiter="\t")
                if row["quality_score"]
            }
        pairs = [(score[i], RANK[v]) for i, v in verdicts.items() if v in RANK and i in score]
        ranks = [float(p[1]) for p in pairs]
        rho = spearman([p[0] for p in pairs], ranks)
        order = sorted(range(len(ranks)), key=lambda k: ranks[k])
        perfect = [float(order.index(k)) for k in range(len(ranks))]  # no ties: their best
        ceiling = spearman(perfect, ranks)
        print(
            f"quality_score against the verdicts: Spearman {rho:.2f} over {len(pairs)} results"
            f" (ceiling {ceiling:.2f} with these ties)"
        )
        top = max(ranks)
        print(
            f"  AUC WRONG below the rest {auc(pairs, lambda r: r == 0):.2f}, best verdict"
            f" above the next {auc(pairs, lambda r: r == top - 1, lambda r: r == top):.2f}"
        )
        missing = [i for i, v in verdicts.items() if v in RANK and i not in score]
        scored = [i for i, v in verdicts.items() if v not in RANK and i in score]
        if missing or scored:
            print(f"  left out: reviewed as accepted, no score {missing}; refused, scored {scored}")


def auc(
    pairs: list[tuple[float, int]],
    low: Callable[[float], bool],
    high: Callable[[float], bool] | None = None,
) -> float:
    """P(score of a `high` rank > score of a `low` rank), ties half; `high`: not `low`."""
    lows = [s for s, r in pairs if low(r)]
    highs = [s for s, r in pairs if (high(r) if high else not low(r))]
    if not lows or not highs:
        return float("nan")
    wins = sum((h > lo) + 0.5 * (h == lo) for h in highs for lo in lows)
    return wins / (len(lows) * len(highs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("sheets")
    make.add_argument("out", nargs="?", type=Path, default=Path("/tmp/irisd-review"))
    tally = commands.add_parser("count")
    tally.add_argument("table", type=Path)
    tally.add_argument("--before", type=Path)
    tally.add_argument("--scores", type=Path)
    args = parser.parse_args()
    if args.command == "sheets":
        sheets(args.out)
    else:
        count(args.table, args.before, args.scores)
    return 0


if __name__ == "__main__":
    sys.exit(main())
