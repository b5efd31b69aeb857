# /// metropolis
# subject = "text.wordcount"
# version = "1.0.0"
# description = "Counts the words of a text and lists the most common ones"
# input = { type = "string" }
# ///
import re
from collections import Counter

from metropolis import TaskError

WORD = re.compile(r"[\w']+")


def handle(body, msg):
    if not isinstance(body, str):
        raise TaskError("send plain text", code=400)
    words = [w.lower() for w in WORD.findall(body)]
    return {"words": len(words), "top": Counter(words).most_common(3)}
