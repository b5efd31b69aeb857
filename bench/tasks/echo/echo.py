# /// metropolis
# subject = "bench.echo.py"
# concurrency = 4
# max_pending = 1024
# description = "Benchmark: returns the payload"
# ///
def handle(body, msg):
    return body
