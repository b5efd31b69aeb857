# /// metropolis
# subject = "hostile.py.*"
# timeout = "15s"
# concurrency = 2
# ///
# Hostile Python (imports of subprocess, ctypes... are slow on a busy machine: a long timeout;
# the endless loops are in spin.py and spin.js). Each action tries to escape the sandbox or to hurt the host. The suite
# (HostileInputTest, cases in cases.tsv) checks that each one gets a clear error and that the
# host keeps serving.
import os
import sys


def handle(body, msg):
    action = msg.subject.rsplit(".", 1)[-1]
    if action == "open":
        return open("/etc/passwd").read()
    if action == "listdir":
        return os.listdir("/")
    if action == "subprocess":
        import subprocess
        return subprocess.run(["id"], capture_output=True).stdout
    if action == "socket":
        import socket
        return socket.create_connection(("127.0.0.1", 22)).recv(10)
    if action == "thread":
        import threading
        threading.Thread(target=lambda: None).start()
        return "started"
    if action == "ctypes":
        import ctypes
        return ctypes.CDLL(None).getpid()
    if action == "java":
        import java
        return java.type("java.lang.System").getenv()
    if action == "polyglot":
        import polyglot
        return polyglot.eval(language="js", string="1 + 1")
    if action == "environ":
        return dict(os.environ)
    if action == "exit":
        sys.exit(3)
    if action == "recursion":
        def down(n):
            return down(n + 1)
        return down(0)
    if action == "bomb":
        return len("a" * 10**10)
    if action == "huge":
        return "x" * (20 << 20)
    if action == "unsendable":
        return object()
    return "unknown " + action
