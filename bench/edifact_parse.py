"""Benchmark: our tokenizer + envelope vs pydifact's Parser on a generated ~15 MB ORDERS interchange.

Run: .venv/bin/python bench/edifact_parse.py [--messages 10000] [--skip-pydifact]
Prints MB/s and peak memory (tracemalloc, Python allocations) for each parser: `ours` holds the whole
interchange (parse_interchange), `streaming` reads it a message at a time and drops each
(open_interchange).
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
import warnings
from collections.abc import Callable

from mappings.edifact.envelope import open_interchange, parse_interchange


def _gtin(n: int) -> str:
    """A GTIN-13 with its GS1 check digit (real orders carry valid ones; invalid ones are warned of)."""
    body = f"541234{n:06d}"
    total = 3 * sum(map(int, body[::-2])) + sum(map(int, body[-2::-2]))
    return body + str(-total % 10)


def generate(messages: int = 10_000, lines: int = 10) -> bytes:
    """One interchange: per message BGM, DTM, RFF, 3 NAD, CUX and `lines` x (LIN, PIA, IMD, QTY, PRI)."""
    out = ["UNA:+.? 'UNB+UNOC:3+5412345000013:14+4012345000009:14+250322:1200+BENCH1'"]
    for m in range(1, messages + 1):
        seg = [f"UNH+{m}+ORDERS:D:96A:UN:EAN008", f"BGM+220+PO{m:08d}+9",
               "DTM+137:20250322:102", f"RFF+CT:CONTRACT-{m % 97:04d}",
               "NAD+BY+5412345000013::9++Buyer Company Ltd+Main Street 1+Brussels++1000+BE",
               "NAD+SU+4012345000009::9++Supplier GmbH+Industriestrasse 7+Koeln++50667+DE",
               "NAD+DP+5412345000020::9++Warehouse?+Dock 4+Harbour Road 12+Antwerp++2000+BE",
               "CUX+2:EUR:9"]
        for n in range(1, lines + 1):
            seg += [f"LIN+{n}++{_gtin(n)}:EN", f"PIA+1+ART-{m % 500:04d}-{n:02d}:SA",
                    f"IMD+F++:::Article {n} size M colour blue",
                    f"QTY+21:{(m * n) % 90 + 10}:PCE", f"PRI+AAA:{(m % 50) + n}.75:CA::1:PCE"]
        seg += ["UNS+S", f"CNT+2:{lines}"]
        seg.append(f"UNT+{len(seg) + 1}+{m}")
        out.append("".join(s + "'" for s in seg))
    out.append(f"UNZ+{messages}+BENCH1'")
    return "\n".join(out).encode("latin-1")


def ours(data: bytes) -> int:
    interchange = parse_interchange(data)
    assert not [p for p in interchange.problems if p.severity == "error"], interchange.problems[:3]
    return len(interchange.messages)


def streaming(data: bytes) -> int:
    reader = open_interchange(data)
    count = sum(1 for _ in reader.messages())
    assert not [p for p in reader.interchange.problems if p.severity == "error"]
    return count


def pydifact(data: bytes) -> int:
    from pydifact.parser import Parser

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sum(1 for s in Parser().parse(data.decode("latin-1")) if s.tag == "UNH")


def measure(name: str, fn: Callable[[bytes], int], data: bytes) -> None:
    gc.collect()
    start = time.perf_counter()
    count = fn(data)
    elapsed = time.perf_counter() - start
    gc.collect()
    tracemalloc.start()
    fn(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    mb = len(data) / 1e6
    print(f"{name:10s} {count:6d} messages  {elapsed:7.2f} s  {mb / elapsed:7.1f} MB/s  "
          f"{count / elapsed:9.0f} msg/s  peak {peak / 1e6:7.1f} MB (input {mb:.1f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--skip-pydifact", action="store_true")
    args = parser.parse_args()
    data = generate(args.messages)
    print(f"interchange: {len(data) / 1e6:.1f} MB, {args.messages} messages")
    measure("ours", ours, data)
    measure("streaming", streaming, data)
    if not args.skip_pydifact:
        measure("pydifact", pydifact, data)


if __name__ == "__main__":
    main()
