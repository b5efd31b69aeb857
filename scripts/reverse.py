# /// metropolis
# subject = "text.reverse"
# queue = "workers"
# timeout = "5s"
# concurrency = 2
# description = "Reverses a text"
# ///
def handle(body, msg):
    return body[::-1]
