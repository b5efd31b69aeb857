"""Runs a bench task's handle() under this interpreter (CPython) in a plain loop.

    compute.py value  FILE ARG                 prints the reply the host should send (JSON)
    compute.py first  FILE ARG ID              times the first call in this fresh process
    compute.py steady FILE ARG ID WARMUP WINDOW REPEATS
                                               mean time per call in each window, after warm-up

Output lines follow bench's samples format: id <TAB> unit <TAB> values.
"""
import importlib.util
import json
import sys
import time


def load(path):
    spec = importlib.util.spec_from_file_location("task", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.handle


def main(mode, path, arg, *rest):
    handle = load(path)
    n = int(arg)
    if mode == "value":
        print(json.dumps(handle(n, None), separators=(",", ":")))
    elif mode == "first":
        started = time.perf_counter()
        handle(n, None)
        print(f"{rest[0]}\tms\t{(time.perf_counter() - started) * 1e3:.3f}")
    elif mode == "steady":
        id_, warmup, window, repeats = rest[0], float(rest[1]), float(rest[2]), int(rest[3])
        until = time.perf_counter() + warmup
        while time.perf_counter() < until:
            handle(n, None)
        means = []
        for _ in range(repeats):
            calls, started = 0, time.perf_counter()
            while True:
                handle(n, None)
                calls += 1
                elapsed = time.perf_counter() - started
                if elapsed >= window:
                    break
            means.append(elapsed / calls * 1e6)
        print(f"{id_}\tus\t" + " ".join(f"{m:.3f}" for m in means))
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(*sys.argv[1:])
