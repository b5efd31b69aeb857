# /// metropolis
# subject = ["bytes.sha256", "bytes.md5"]
# description = "Hex digest of the raw payload; the algorithm is the last subject token"
# ///
import hashlib


def handle(body, msg):
    algorithm = msg.subject.rsplit(".", 1)[-1]
    return hashlib.new(algorithm, msg.raw).hexdigest()
