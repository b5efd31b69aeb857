# /// metropolis
# subject = "text.words"
# timeout = "5s"
# stream_timeout = "1m"
# version = "1.0.0"
# description = "Streams a text back word by word"
# ///
import time

from metropolis import TaskError


def handle(body, msg):
    """A generator: each word is a chunk. Send text, or {"text": "...", "delay": 0.2} to pace the words."""
    if isinstance(body, dict):
        text, delay = str(body.get("text", "")), float(body.get("delay", 0))
    else:
        text, delay = str(body), 0.0
    words = text.split()
    if not words:
        raise TaskError("send some text to stream, e.g. 'the quick brown fox'")
    for index, word in enumerate(words):
        if index and delay:
            time.sleep(min(delay, 1.0))
        yield word
