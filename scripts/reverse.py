# /// metropolis
# subject = "text.reverse"
# queue = "workers"
# timeout = "5s"
# concurrency = 2
# description = "Reverses a text"
# input = { type = "string" }
# output = { type = "string" }
# ///
def handle(body, msg):
    return body[::-1]
