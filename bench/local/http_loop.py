"""CPython's urllib in a plain loop against the bench's Helidon echo: the baseline of a Python task's HTTP.

    http_loop.py URL ID WARMUP WINDOW REPEATS     prints "ID.mean<TAB>us<TAB>v1 v2 ..."
"""
import sys
import time
import urllib.request


def once(url):
    request = urllib.request.Request(url, data=b"ping", headers={"Content-Type": "text/plain"}, method="POST")
    with urllib.request.urlopen(request) as response:
        if response.read() != b"ping":
            raise RuntimeError("unexpected reply")


def run(url, seconds):
    calls, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        once(url)
        calls += 1
    return (time.perf_counter() - started) * 1e6 / calls


def main(url, id_, warmup, window, repeats):
    run(url, float(warmup))
    means = [f"{run(url, float(window)):.1f}" for _ in range(int(repeats))]
    print(f"{id_}.mean\tus\t{' '.join(means)}")


if __name__ == "__main__":
    main(*sys.argv[1:])
