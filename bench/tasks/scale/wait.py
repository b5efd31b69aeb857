# /// metropolis
# subject = "bench.scale.wait"
# concurrency = 4
# max_pending = 1024
# timeout = "2s"
# description = "Scale benchmark: waits 10 ms (a downstream call), then returns the payload"
# ///
import time


def handle(body, msg):
    time.sleep(0.01)
    return body
