"""In-process counters, gauges and histograms, rendered as Prometheus text for /metrics."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

Labels = tuple[tuple[str, str], ...]

_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    """A tiny registry: `inc`, `observe`, and gauges computed at scrape time."""

    def __init__(self) -> None:
        self._counters: dict[str, dict[Labels, float]] = defaultdict(lambda: defaultdict(float))
        self._histograms: dict[str, dict[Labels, list[float]]] = defaultdict(dict)
        self._gauges: dict[str, Callable[[], dict[Labels, float]]] = {}
        self._help: dict[str, tuple[str, str]] = {}

    def inc(self, name: str, amount: float = 1.0, **labels: str) -> None:
        self._help.setdefault(name, ("counter", name.replace("_", " ")))
        self._counters[name][_labels(labels)] += amount

    def counted(self, name: str, **labels: str) -> float:
        """A counter's value for `labels` (0 before its first `inc`)."""
        return self._counters.get(name, {}).get(_labels(labels), 0.0)

    def observe(self, name: str, value: float, **labels: str) -> None:
        """Record `value` (seconds) in a histogram with fixed buckets."""
        self._help.setdefault(name, ("histogram", name.replace("_", " ")))
        series = self._histograms[name].setdefault(_labels(labels), [0.0] * (len(_BUCKETS) + 2))
        for i, bound in enumerate(_BUCKETS):
            if value <= bound:
                series[i] += 1
        series[-2] += 1  # count
        series[-1] += value  # sum

    def gauge(self, name: str, read: Callable[[], dict[Labels, float]]) -> None:
        """Register a gauge whose values are read when /metrics is scraped."""
        self._help[name] = ("gauge", name.replace("_", " "))
        self._gauges[name] = read

    def render(self) -> str:
        lines: list[str] = []
        for name, (kind, text) in sorted(self._help.items()):
            lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
            if kind == "counter":
                lines += [f"{name}{_fmt(k)} {v:g}" for k, v in self._counters[name].items()]
            elif kind == "gauge":
                lines += [f"{name}{_fmt(k)} {v:g}" for k, v in self._gauges[name]().items()]
            else:
                lines += _render_histogram(name, self._histograms[name])
        return "\n".join(lines) + "\n"


def _labels(labels: dict[str, str]) -> Labels:
    return tuple(sorted(labels.items()))


def _fmt(labels: Labels) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{k}="{v}"' for k, v in labels)
    return "{" + inner + "}"


def _render_histogram(name: str, series: dict[Labels, list[float]]) -> list[str]:
    lines = []
    for labels, values in series.items():
        for bound, count in zip(_BUCKETS, values, strict=False):
            lines.append(f"{name}_bucket{_fmt((*labels, ('le', f'{bound:g}')))} {count:g}")
        lines.append(f"{name}_bucket{_fmt((*labels, ('le', '+Inf')))} {values[-2]:g}")
        lines.append(f"{name}_count{_fmt(labels)} {values[-2]:g}")
        lines.append(f"{name}_sum{_fmt(labels)} {values[-1]:g}")
    return lines
