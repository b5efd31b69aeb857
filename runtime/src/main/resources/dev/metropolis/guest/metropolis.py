# The guest half of the Metropolis calling convention, evaluated once in every Python context
# before the task script. It installs the `metropolis` module (TaskError, log) and returns
# `bind`, which the host calls with the task function to get the per-message dispatcher.
#
# The dispatcher returns a tuple the host decodes: (kind, value[, code]); kinds are mirrored
# in GuestContext.java. Exceptions are caught here because Python knows the precise line.
import json as _json
import sys as _sys
import time as _time
import types as _types

EMPTY, TEXT, BYTES, JSON, FAILED, CRASHED, BAD_PAYLOAD = 0, 1, 2, 3, 4, 5, 6
BODY_AUTO, BODY_JSON, BODY_TEXT, BODY_BYTES = 0, 1, 2, 3


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

    def __repr__(self):
        return f"Message(subject={self.subject!r}, headers={self.headers!r})"


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def _decode(kind, text, latin1):
    if kind == BODY_BYTES:
        return latin1.encode("latin-1")
    if kind == BODY_TEXT:
        return text
    if kind == BODY_JSON:
        return _json.loads(text, parse_constant=_reject_constant)
    try:
        return _json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        return text


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
        return (JSON, _json.dumps(result, ensure_ascii=False, separators=(",", ":"), allow_nan=False))
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


def bind(function, script_file, log_sink):
    global _log_sink
    _log_sink = log_sink

    def dispatch(body_kind, text, latin1, subject, reply, flat_headers, done=None):
        # `done` settles asynchronous results in JavaScript; Python handlers are synchronous.
        try:
            body = _decode(body_kind, text, latin1)
        except ValueError as e:
            return (BAD_PAYLOAD, f"the payload is declared as JSON but is not valid JSON: {e}")
        msg = Message(subject, reply, flat_headers, text, latin1)
        try:
            return _encode(function(body, msg))
        except TaskError as e:
            return (FAILED, e.message, e.code)
        except Exception as e:
            return (CRASHED, _describe(e, script_file))

    return dispatch


_module = _types.ModuleType("metropolis", "Helpers the Metropolis host provides to task scripts.")
_module.TaskError = TaskError
_module.log = Log()
_module.Message = Message
_sys.modules["metropolis"] = _module

bind
