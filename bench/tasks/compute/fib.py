# /// metropolis
# subject = "bench.fib.py"
# timeout = "60s"
# concurrency = 1
# description = "Benchmark: naive recursive Fibonacci of the number sent"
# ///
# bench/local/compute.py runs this same file under CPython.


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def handle(body, msg):
    return fib(int(body))
