# /// metropolis
# subject = "hostile.spin.py"
# timeout = "1s"
# ///
def handle(body, msg):
    while True:
        pass
