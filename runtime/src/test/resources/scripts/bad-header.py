# /// metropolis
# subject = "bad.header"
# timout = "5s"
# ///
def handle(body, msg):
    return body
