# /// metropolis
# subject = "hostile.broken"
# concurency = 2
# ///
def handle(body, msg):
    return body
