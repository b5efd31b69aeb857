# The guest half of the Metropolis calling convention, evaluated once in every Python context
# before the task script. It installs the `metropolis` module (TaskError, log, request, publish,
# env, secret, CallError, GrantError) and returns `bind`, which the host calls with the task
# function and the host's functions to get the per-message dispatcher.
#
# The dispatcher returns a tuple the host decodes: (kind, value[, code]); kinds are mirrored
# in GuestContext.java. Exceptions are caught here because Python knows the precise line.
import _json as _cjson
import sys as _sys
import time as _time
import types as _types

EMPTY, TEXT, BYTES, JSON, FAILED, CRASHED, BAD_PAYLOAD, STREAM, END, ANSWERED_FAILURE = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9
BODY_AUTO, BODY_JSON, BODY_TEXT, BODY_BYTES = 0, 1, 2, 3
# What the host's functions answer (GuestApi.java): [OK, ...], [FAILED, code, kind, message], [DENIED, message], [INVALID, message]
API_OK, API_FAILED, API_DENIED, API_INVALID = 0, 1, 2, 3


# JSON through GraalPy's native scanner and encoder (the `_json` module `json` itself uses): importing
# `json` imports `re` and `enum`, about half of what a new context spends before the script's own code.


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


_WHITESPACE = " \t\n\r"
_scan = _cjson.make_scanner(_types.SimpleNamespace(strict=True, object_hook=None, object_pairs_hook=None,
                                                   parse_float=float, parse_int=int,
                                                   parse_constant=_reject_constant, memo={}))


def _at(what, text, pos):
    line = text.count("\n", 0, pos) + 1
    column = pos - text.rfind("\n", 0, pos)
    return f"{what}: line {line} column {column} (char {pos})"


def _json_loads(text):
    """json.loads(text) without NaN and Infinity; a ValueError saying where it went wrong."""
    start = len(text) - len(text.lstrip(_WHITESPACE))
    try:
        value, end = _scan(text, start)
    except StopIteration as e:
        raise ValueError(_at("Expecting value", text, e.value)) from None
    if text[end:].strip(_WHITESPACE):
        raise ValueError(_at("Extra data", text, end))
    return value


def _not_serializable(value):
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _json_dumps(value, item_separator=",", key_separator=":"):
    """json.dumps(value, ensure_ascii=False, separators=(item_separator, key_separator), allow_nan=False)."""
    # A new encoder each time: its circular-reference markers must start empty.
    encoder = _cjson.make_encoder({}, _not_serializable, _cjson.encode_basestring, None, key_separator,
                                  item_separator, False, False, False)
    return "".join(encoder(value, 0))


_blocking_sleep = _time.sleep


def _interruptible_sleep(seconds):
    """time.sleep in short slices: GraalPy's own sleep ignores the host's interrupt at a task's timeout."""
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    end = _time.monotonic() + seconds
    while True:
        left = end - _time.monotonic()
        if left <= 0:
            return
        _blocking_sleep(min(left, 0.01))


_time.sleep = _interruptible_sleep


_log_sink = None  # set by bind: the host's logger for this task


class Log:
    """metropolis.log.info("...") and friends: lines in the host's log, tagged with the task and the message."""

    @staticmethod
    def _emit(level, message, args):
        text = str(message) % args if args else str(message)
        if _log_sink is not None:
            _log_sink(level, text)

    def debug(self, message, *args):
        self._emit(10, message, args)

    def info(self, message, *args):
        self._emit(20, message, args)

    def warning(self, message, *args):
        self._emit(30, message, args)

    def error(self, message, *args):
        self._emit(40, message, args)


class TaskError(Exception):
    """Raise to answer with an error of the task's choosing, e.g. TaskError("need 'a'", code=400)."""

    def __init__(self, message, code=400):
        super().__init__(message)
        self.message = str(message)
        self.code = int(code)


class CallError(Exception):
    """A call to another task failed: `code` (the HTTP status), `kind` (rejected, timed_out,
    unavailable, busy, crashed, ...), `message`, and the `subject` called."""

    def __init__(self, message, code, kind, subject):
        super().__init__(message)
        self.message = str(message)
        self.code = int(code)
        self.kind = str(kind)
        self.subject = subject

    def __str__(self):
        return f"{self.subject}: {self.message} ({self.code} {self.kind})"


class GrantError(PermissionError):
    """Something the script's header does not grant; the message names the grant to add."""


_host = None  # set by bind: the host's functions for this context (GuestApi.java)


def _flat(headers):
    if headers is None:
        return None
    if not isinstance(headers, dict):
        raise TypeError("headers must be a dict of header name -> value")
    flat = []
    for name, value in headers.items():
        flat.append(str(name))
        flat.append(str(value))
    return flat


def _outgoing(body):
    encoded = _encode(body)
    if encoded[0] == CRASHED:
        raise TypeError(encoded[1].replace("the task returned", "the body is", 1))
    return encoded


def _checked(answer, subject):
    kind = answer[0]
    if kind == API_OK:
        return answer
    if kind == API_FAILED:
        raise CallError(answer[3], answer[1], answer[2], subject)
    if kind == API_DENIED:
        raise GrantError(answer[1])
    raise ValueError(answer[1])


def request(subject, body=None, timeout=None, headers=None):
    """Sends `body` to a task on `subject` and returns its decoded reply; raises CallError when it fails.

    `timeout` (seconds, or a duration such as "250ms") is capped by this message's own deadline.
    """
    answer = _checked(_host.request(str(subject), _outgoing(body), timeout, _flat(headers)), subject)
    try:
        return _decode(answer[1], answer[2], answer[3])
    except ValueError as e:
        raise CallError(f"the reply is declared as JSON but is not valid JSON: {e}", 502, "crashed", subject)


def publish(subject, body=None, headers=None):
    """Publishes `body` on `subject` without waiting for anyone."""
    _checked(_host.publish(str(subject), _outgoing(body), _flat(headers)), subject)


def secret(name):
    """The value of a secret granted in the header's [allow] secrets."""
    return _checked(_host.secret(str(name)), name)[1]


class _Response:
    """What metropolis.http answers: status, headers (names in lower case), text, json(), content."""

    __slots__ = ("status", "headers", "text", "url", "_latin1")

    def __init__(self, status, flat_headers, text, latin1, url):
        self.status = status
        items = list(flat_headers)
        self.headers = {items[i].lower(): items[i + 1] for i in range(0, len(items), 2)}
        self.text = text
        self.url = url
        self._latin1 = latin1

    @property
    def ok(self):
        return 200 <= self.status < 300

    @property
    def content(self):
        return self._latin1.encode("latin-1")

    def json(self):
        """The body decoded as JSON; a ValueError saying where when it is not JSON."""
        return _json_loads(self.text)

    def __repr__(self):
        return f"<Response {self.status} {self.url}>"


class _Http:
    """metropolis.http: HTTP requests to the origins granted in the header's [allow] http."""

    def request(self, method, url, headers=None, body=None, timeout=None):
        answer = _checked(_host.http(str(method), str(url), _flat(headers), _outgoing(body), timeout), url)
        return _Response(answer[1], answer[2], answer[3], answer[4], answer[5])

    def get(self, url, headers=None, timeout=None):
        return self.request("GET", url, headers=headers, timeout=timeout)

    def post(self, url, body=None, headers=None, timeout=None):
        return self.request("POST", url, headers=headers, body=body, timeout=timeout)

    def put(self, url, body=None, headers=None, timeout=None):
        return self.request("PUT", url, headers=headers, body=body, timeout=timeout)

    def delete(self, url, headers=None, timeout=None):
        return self.request("DELETE", url, headers=headers, timeout=timeout)


class Entry:
    """A key's value and revision in a key-value bucket."""

    __slots__ = ("value", "revision")

    def __init__(self, value, revision):
        self.value = value
        self.revision = revision

    def __repr__(self):
        return f"Entry(value={self.value!r}, revision={self.revision})"


class _Bucket:
    """metropolis.kv(name): a JetStream key-value bucket granted in the header's [allow] kv."""

    def __init__(self, name):
        self.name = name
        _checked(_host.kv("check", name, None, None, None), "kv:" + name)

    def _run(self, operation, key, value=None, revision=None):
        encoded = _outgoing(value) if operation in ("put", "update") else None
        return _checked(_host.kv(operation, self.name, key, encoded, revision), "kv:" + self.name)

    def get(self, key):
        answer = self._run("get", str(key))
        return None if answer[1] == 0 else Entry(_decode(answer[2], answer[3], answer[4]), answer[1])

    def put(self, key, value):
        return self._run("put", str(key), value)[1]

    def update(self, key, value, revision):
        return self._run("update", str(key), value, int(revision))[1]

    def delete(self, key):
        self._run("delete", str(key))

    def keys(self):
        return list(self._run("keys", None)[1])


def kv(bucket):
    """A key-value bucket granted in the header's [allow] kv."""
    return _Bucket(str(bucket))


class Message:
    """What a task sees of the NATS message besides the decoded body."""

    __slots__ = ("subject", "reply", "_flat_headers", "_headers", "_text", "_latin1", "_raw")

    def __init__(self, subject, reply, flat_headers, text, latin1):
        self.subject = subject
        self.reply = reply
        self._flat_headers = flat_headers
        self._headers = None
        self._text = text
        self._latin1 = latin1
        self._raw = None

    @property
    def headers(self):
        """The message's headers as a dict (built on first use: most tasks never read them)."""
        if self._headers is None:
            self._headers = _headers(self._flat_headers)
        return self._headers

    @property
    def raw(self):
        """The payload exactly as received, as bytes."""
        if self._raw is None:
            # The host sends a UTF-8 payload as text and anything else as latin-1 (one char a byte).
            if self._latin1 is not None:
                self._raw = self._latin1.encode("latin-1")
            else:
                self._raw = self._text.encode("utf-8")
        return self._raw

    @property
    def method(self):
        """The HTTP method when the message came through the gateway, else None."""
        return self.headers.get("Metropolis-Method")

    @property
    def path(self):
        """The HTTP path when the message came through the gateway, else None."""
        return self.headers.get("Metropolis-Path")

    @property
    def deliveries(self):
        """How many times this message has been delivered (1 the first time) when it came from a stream, else None."""
        value = self.headers.get("Metropolis-Deliveries")
        return None if value is None else int(value)

    @property
    def stream_sequence(self):
        """The message's sequence number in its stream when it came from one, else None."""
        value = self.headers.get("Metropolis-Stream-Sequence")
        return None if value is None else int(value)

    @property
    def tick(self):
        """The time of the schedule's tick (ISO-8601, UTC) when a schedule ran the task, else None."""
        return self.headers.get("Metropolis-Tick")

    @property
    def auth(self):
        """The caller the gateway authenticated: a dict with method, subject, key, scopes and claims; else None."""
        value = self.headers.get("Metropolis-Auth")
        return None if value is None else _json_loads(value)

    def __repr__(self):
        return f"Message(subject={self.subject!r}, headers={self.headers!r})"


def _decode(kind, text, latin1):
    if kind == BODY_BYTES:
        return latin1.encode("latin-1")
    if kind == BODY_TEXT:
        return text
    try:
        return _json_loads(text)
    except RecursionError:
        # Too deep for the decoder is the payload's fault, whatever else is wrong with it.
        raise _TooDeep("it is nested too deeply to decode") from None
    except ValueError:
        if kind == BODY_JSON:
            raise
        return text


class _TooDeep(ValueError):
    """A JSON payload nested deeper than the decoder goes: a bad payload even when not declared as JSON."""


def _headers(flat):
    # The host passes headers as [name, value, name, value, ...].
    if flat is None:
        return {}
    items = list(flat)
    return {items[i]: items[i + 1] for i in range(0, len(items), 2)}


def _encode(result):
    if result is None:
        return (EMPTY, None)
    if isinstance(result, str):
        return (TEXT, result)
    if isinstance(result, (bytes, bytearray, memoryview)):
        return (BYTES, bytes(result))
    if isinstance(result, (dict, list, tuple, int, float, bool)):
        return (JSON, _json_dumps(result))
    return (CRASHED, f"the task returned a {type(result).__name__}, which cannot be sent; "
                     "return str, bytes, dict, list, a number, a bool or None")


def _describe(error, script_file):
    # Name the deepest line of the task script itself, not of the stdlib it called.
    where = None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == script_file:
            where = tb.tb_lineno
        tb = tb.tb_next
    text = f"{type(error).__name__}: {error}"
    return f"{text} (line {where})" if where is not None else text


def _failure(error, script_file):
    if isinstance(error, MemoryError):
        # Not answered here: the host drops this context, since what filled the heap may be in its globals.
        raise error
    if isinstance(error, TaskError):
        return (FAILED, error.message, error.code)
    if isinstance(error, CallError):
        # Uncaught, the callee's failure is the caller's, with its status: a 504 stays a 504.
        return (FAILED, f"the call to '{error.subject}' failed: {error.message}", error.code)
    return (CRASHED, _describe(error, script_file))


def _settle(awaitable):
    """Runs a coroutine to its end without an event loop: metropolis' own calls finish synchronously."""
    try:
        while True:
            if awaitable.send(None) is not None:
                awaitable.close()
                raise RuntimeError("an async generator awaited something that needs an event loop (asyncio timers,"
                                   " sockets); a task has none: call metropolis' functions, which are synchronous")
    except StopIteration as done:
        return done.value


class _Stream:
    """A generator (or async generator) task's chunks, taken one at a time by the host: (kind, value[, code])."""

    __slots__ = ("_source", "_script_file", "_async")

    def __init__(self, source, script_file):
        self._source = source
        self._script_file = script_file
        self._async = isinstance(source, _types.AsyncGeneratorType)

    def next(self, done=None):
        try:
            value = _settle(self._source.__anext__()) if self._async else next(self._source)
        except (StopIteration, StopAsyncIteration):
            return (END, None)
        except Exception as e:
            return _failure(e, self._script_file)
        return _encode(value)

    def close(self, done=None):
        """Closes the generator: GeneratorExit is raised at its yield, so its finally blocks run."""
        try:
            if self._async:
                _settle(self._source.aclose())
            else:
                self._source.close()
        except Exception as e:
            return _failure(e, self._script_file)
        return (END, None)


def _install_env(flat):
    # Only the granted variables: metropolis.env, and os.environ shows the same (it is empty otherwise).
    items = list(flat)
    env = {items[i]: items[i + 1] for i in range(0, len(items), 2)}
    _module.env = _types.MappingProxyType(env)
    import os as _os
    try:
        _os.environ.clear()
        _os.environ.update(env)
    except Exception:  # an interpreter that refuses putenv: the mapping alone
        pass


def _attach(log_sink, host):
    # The host's logger and functions for this context, before the first message.
    global _log_sink, _host
    _log_sink = log_sink
    _host = host
    _install_env(host.env)


def bind(function, script_file, log_sink, host):
    _attach(log_sink, host)

    def dispatch(body_kind, text, latin1, subject, reply, flat_headers, done=None):
        # `done` settles asynchronous results in JavaScript; Python handlers are synchronous.
        try:
            body = _decode(body_kind, text, latin1)
        except _TooDeep as e:
            return (BAD_PAYLOAD, f"the payload cannot be decoded as JSON: {e}")
        except ValueError as e:
            return (BAD_PAYLOAD, f"the payload is declared as JSON but is not valid JSON: {e}")
        msg = Message(subject, reply, flat_headers, text, latin1)
        try:
            result = function(body, msg)
        except Exception as e:
            return _failure(e, script_file)
        if isinstance(result, (_types.GeneratorType, _types.AsyncGeneratorType)):
            return (STREAM, _Stream(result, script_file))
        return _encode(result)

    # A generator function streams its reply: the host announces it so callers know to read chunks.
    # (CO_GENERATOR, CO_ASYNC_GENERATOR: read from the code flags, since importing inspect costs start-up time)
    code = getattr(function, "__code__", None)
    dispatch.streaming = code is not None and bool(code.co_flags & (0x20 | 0x200))
    return dispatch


_module = _types.ModuleType("metropolis", "Helpers the Metropolis host provides to task scripts.")
_module.TaskError = TaskError
_module.CallError = CallError
_module.GrantError = GrantError
_module.request = request
_module.publish = publish
_module.secret = secret
_module.http = _Http()
_module.kv = kv
_module.Entry = Entry
_module.env = _types.MappingProxyType({})
_module.log = Log()
_module.Message = Message
_sys.modules["metropolis"] = _module

bind
