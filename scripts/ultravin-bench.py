#!/usr/bin/env python3
"""Single-thread throughput of the `ultravin` PyPI package on a file of VINs.

Used only to compare numbers with `vin bench` on the same VIN file:

    pip install ultravin
    scripts/ultravin-bench.py VINS.txt [--full]

Prints p50/p99 per-VIN latency and a last line `N VINs in S s: R VIN/s`,
the same shape as `vin bench`. One VIN per `decode` call, one thread; a
warm-up pass over the first 1000 VINs runs first so its data is loaded.
"""
import argparse
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="one VIN per line")
    parser.add_argument("--full", action="store_true", help="ask for every field (ultravin's full=True)")
    args = parser.parse_args()
    try:
        import ultravin
    except ImportError:
        print("ultravin is not installed: pip install ultravin", file=sys.stderr)
        return 2
    with open(args.file, encoding="utf-8") as f:
        vins = [line.strip() for line in f if line.strip()]
    if not vins:
        print("no VINs in the file", file=sys.stderr)
        return 2
    for vin in vins[:1000]:
        ultravin.decode(vin, full=args.full)
    lat = []
    clock = time.perf_counter_ns
    start = clock()
    for vin in vins:
        t = clock()
        ultravin.decode(vin, full=args.full)
        lat.append(clock() - t)
    elapsed = (clock() - start) / 1e9
    lat.sort()
    p50 = lat[len(lat) // 2] / 1000
    p99 = lat[min(len(lat) - 1, len(lat) * 99 // 100)] / 1000
    print(f"ultravin {ultravin.__version__}: p50 {p50:.1f} µs, p99 {p99:.1f} µs (one thread)")
    print(f"{len(vins)} VINs in {elapsed:.3f} s: {len(vins) / elapsed:.0f} VIN/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
