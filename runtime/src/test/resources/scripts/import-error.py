# /// metropolis
# subject = "bad.import"
# ///
import does_not_exist


def handle(body, msg):
    return body
