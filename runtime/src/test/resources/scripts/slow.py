# /// metropolis
# subject = ["slow.sleep", "slow.leak"]
# concurrency = 2
# max_pending = 1
# timeout = "5s"
# ///
# Sleeps for the number of seconds it is sent and answers with its context's token, so a test can
# see how many contexts served a burst.
import builtins
import random
import time

TOKEN = "%016x" % random.getrandbits(64)


def handle(body, msg):
    if msg.subject == "slow.leak":
        return hasattr(builtins, "leak")
    time.sleep(float(body))
    return TOKEN
