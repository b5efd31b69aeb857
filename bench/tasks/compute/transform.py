# /// metropolis
# subject = "bench.transform.py"
# timeout = "60s"
# concurrency = 1
# description = "Benchmark: dict and string work over n generated words"
# ///
# bench/local/compute.py runs this same file under CPython; transform.mjs is the same in JavaScript.
WORDS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta")


def transform(n):
    counts = {}
    for i in range(n):
        word = WORDS[i % 8] + str(i % 97)
        counts[word] = counts.get(word, 0) + 1
    parts = [f"{key.upper()}={value}" for key, value in counts.items() if value % 2 == 0]
    text = ";".join(sorted(parts))
    return {"keys": len(counts), "chars": len(text), "checksum": sum(ord(c) for c in text) % 65521}


def handle(body, msg):
    return transform(int(body))
