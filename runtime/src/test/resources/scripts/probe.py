# /// metropolis
# subject = "py.>"
# timeout = "10s"
# concurrency = 2
# ///
# Test probe: one Python task whose behaviour is chosen by the subject after "py.".
import builtins
import random
import time

from metropolis import TaskError

builtins.leak = "set by probe.py"  # slow.py must not see this: scripts are isolated
TOKEN = "%016x" % random.getrandbits(64)


def handle(body, msg):
    action = msg.subject[len("py."):]
    if action == "echo":
        shown = list(body) if isinstance(body, bytes) else body
        return {"type": type(body).__name__, "body": shown}
    if action == "raw":
        return msg.raw
    if action == "meta":
        return {"subject": msg.subject, "headers": msg.headers, "has_reply": msg.reply is not None}
    if action.startswith("return."):
        return RESULTS[action[len("return."):]]()
    if action == "raise":
        return {"x": 1}["missing"]
    if action == "reject":
        raise TaskError("no such order", code=404)
    if action == "loop":
        while True:
            pass
    if action == "sleep":
        time.sleep(60)
    if action.startswith("sandbox."):
        return sandbox(action[len("sandbox."):])
    if action == "stdlib":
        return stdlib()
    if action == "token":
        return TOKEN
    raise TaskError(f"unknown probe action {action!r}", code=400)


RESULTS = {
    "none": lambda: None,
    "str": lambda: "héllo",
    "bytes": lambda: b"\x00\xff\x10",
    "list": lambda: [1, "a", None, True],
    "float": lambda: 1.5,
    "bool": lambda: False,
    "tuple": lambda: (1, 2),
    "set": lambda: {1, 2},
}


def sandbox(what):
    try:
        if what == "file":
            return open("/etc/passwd").read()
        if what == "listdir":
            import os
            return os.listdir("/")
        if what == "environ":
            import os
            return dict(os.environ)
        if what == "subprocess":
            import subprocess
            return subprocess.run(["id"], capture_output=True).stdout
        if what == "socket":
            import socket
            socket.create_connection(("127.0.0.1", 22), timeout=1)
            return "connected"
        if what == "java":
            import java
            return str(java.type("java.lang.System").getProperty("user.home"))
        if what == "thread":
            import threading
            t = threading.Thread(target=lambda: None)
            t.start()
            return "started"
    except BaseException as e:
        return f"denied: {type(e).__name__}"
    return f"unknown sandbox probe {what}"


def stdlib():
    import base64, collections, datetime, decimal, hashlib, json, math, re, struct, zlib
    return {
        "json": json.loads('{"a": [1, 2]}')["a"][1],
        "re": re.findall(r"\d+", "a1b22c333"),
        "math": math.isqrt(1_000_000),
        "datetime": datetime.date(2026, 11, 27).isoformat(),
        "hashlib": hashlib.sha256(b"metropolis").hexdigest()[:12],
        "collections": collections.Counter("banana").most_common(1)[0][0],
        "decimal": str(decimal.Decimal("0.1") + decimal.Decimal("0.2")),
        "base64": base64.b64encode(b"hi").decode(),
        "struct": struct.unpack(">I", b"\x00\x00\x01\x00")[0],
        "zlib": zlib.crc32(b"metropolis"),
    }
