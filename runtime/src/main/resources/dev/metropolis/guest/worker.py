# The original Metropolis framework's surface, appended to metropolis.py (one source, one namespace)
# in every Python context: `from metropolis import Worker` as its users wrote it. A Worker never
# connects: `@worker.task` records the function, `worker.run()` returns at once, and the host serves
# the recorded tasks (the subjects it read from the source, WorkerScan.java) through `bind_worker`.
# The wire form is the original's: keyword arguments in, {"code": ..., "data": ...} out.

_DEFAULT_SERIALIZER = "metropolis.core.serializer.DefaultMessageSerializer"
_worker_tasks = []  # what the decorators registered while the file loaded, in order


def _setting(config, name):
    if config is None:
        return None
    if isinstance(config, dict):
        return config.get(name, config.get(name.lower()))
    return getattr(config, name, None)


class _WorkerReply:
    """What worker.request answers, shaped like the original's NATS message: subject, data (bytes), headers."""

    __slots__ = ("subject", "data", "headers")

    def __init__(self, subject, data):
        self.subject = subject
        self.data = data
        self.headers = {}

    def __repr__(self):
        return f"<Reply subject={self.subject!r} data={self.data!r}>"


class _WorkerTask:
    """One decorated function: its subject, the keyword arguments it takes, and its worker's wire mode."""

    def __init__(self, subject, queue, function, line, string_mode):
        self.subject = subject
        self.queue = queue
        self.function = function
        self.line = line
        self.string_mode = string_mode
        self.name = getattr(function, "__name__", type(function).__name__)
        self.takes_any, self.names, self.required = _parameters(function)

    def refusal(self, data):
        """Why task_fn(**data) cannot be called, or None."""
        if not self.takes_any:
            unexpected = [key for key in data if key not in self.names]
            if unexpected:
                takes = ", ".join(self.names) if self.names else "no keyword arguments"
                return (f"{self.name}() got unexpected keys {', '.join(repr(k) for k in unexpected)}; it takes {takes}"
                        " (the JSON object's keys become its keyword arguments)")
        missing = [name for name in self.required if name not in data]
        if missing:
            return (f"{self.name}() needs the keys {', '.join(repr(k) for k in missing)}"
                    " (the JSON object's keys become its keyword arguments)")
        return None


def _parameters(function):
    """(takes any keyword, the names it takes, the names it needs), read from the code object: importing
    inspect costs seconds in a cold GraalPy, inside the load timeout. Other callables: the call decides."""
    code = getattr(function, "__code__", None)
    if code is None or not hasattr(code, "co_varnames"):
        return True, [], []
    positional = code.co_varnames[code.co_posonlyargcount:code.co_argcount]
    keyword_only = code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]
    defaults = getattr(function, "__defaults__", None) or ()
    keyword_defaults = getattr(function, "__kwdefaults__", None) or {}
    needed = list(positional[:len(positional) - len(defaults)]) + [k for k in keyword_only if k not in keyword_defaults]
    return bool(code.co_flags & 0x08), list(positional) + list(keyword_only), needed


class Worker:
    """Worker(nats=URL) or Worker(name, settings): the original's worker. Under the host it never
    connects (the NATS URL is noted, the host's connection is used) and unknown settings are ignored."""

    def __init__(self, name=None, config=None, nats=None, **options):
        self.name = name
        self.config = config
        self.nats_url = nats or _setting(config, "NATS_URL")
        self.queue_name = _setting(config, "QUEUE_NAME")
        self.serializer_class = _setting(config, "SERIALIZER_CLASS")
        # The original's default serializer hands the task the payload as a string.
        self.string_mode = self.serializer_class == _DEFAULT_SERIALIZER
        self.options = options

    def task(self, subject, queue="metropolis"):
        """@worker.task(subject='foo.bar', queue='worker'): serve the function on that subject."""
        line = _sys._getframe(1).f_lineno

        def register(function):
            if not callable(function):
                raise TypeError(f"@worker.task(subject={subject!r}) decorates a {type(function).__name__},"
                                " which cannot be called; decorate a function")
            if any(known.subject == subject for known in _worker_tasks):
                raise ValueError(f"a second task on subject {subject!r}; one function per subject and queue")
            _worker_tasks.append(_WorkerTask(str(subject), str(queue), function, line, self.string_mode))
            return function

        return register

    def run(self):
        """Returns at once: the host serves the decorated tasks (there is no loop to run)."""
        return None

    def stop(self, *args, **kwargs):
        """Nothing to stop: the host owns the subscriptions."""
        return None

    def request(self, name, payload=b"", timeout=None):
        """Sends payload on subject `name` over the host's connection (as far as the header grants) and
        returns the reply as the original did: an object with `data` (bytes)."""
        _require_message("request")
        answer = _checked(_host.request(str(name), _outgoing(payload), timeout, None), name)
        data = answer[3].encode("latin-1") if answer[3] is not None else (answer[2] or "").encode("utf-8")
        return _WorkerReply(str(name), data)

    def publish(self, name, payload=b""):
        """Publishes payload on subject `name` over the host's connection (as far as the header grants)."""
        _require_message("publish")
        _checked(_host.publish(str(name), _outgoing(payload), None), name)


def _require_message(what):
    if _host is None:
        raise RuntimeError(f"worker.{what} works while a task handles a message, not while the file loads")


def _subject_matches(pattern, subject):
    wanted, given = pattern.split("."), subject.split(".")
    for i, token in enumerate(wanted):
        if token == ">":
            return len(given) > i
        if i >= len(given) or (token != "*" and token != given[i]):
            return False
    return len(wanted) == len(given)


def _worker_payload(task, body_kind, text, latin1):
    """(refusal, args, kwargs): an encoded refusal, or None and what to call the task with."""
    if body_kind == BODY_BYTES or text is None:
        # The original read every payload the same way, whatever its content type (bytes from worker.request).
        try:
            text = (latin1 or "").encode("latin-1").decode("utf-8")
        except UnicodeDecodeError:
            return _refused(f"{task.name}() takes " + ("text" if task.string_mode else "a JSON object")
                            + ", and the payload is not UTF-8")
    if task.string_mode:
        return None, (text,), {}
    if text.strip() == "":
        return None, (), {}
    try:
        data = _json_loads(text)
    except RecursionError:
        return (BAD_PAYLOAD, "the payload cannot be decoded as JSON: it is nested too deeply to decode"), None, None
    except ValueError as e:
        return _refused(f"{task.name}() takes a JSON object, and the payload is not JSON: {e}")
    if not isinstance(data, dict):
        return _refused(f"{task.name}() takes a JSON object whose keys are its keyword arguments (task_fn(**data)),"
                        f" e.g. {{\"data\": [\"abc\"]}}; got a {type(data).__name__}")
    refusal = task.refusal(data)
    return _refused(refusal) if refusal else (None, (), data)


def _refused(message):
    return (FAILED, message, 400), None, None


def _worker_dispatcher(tasks, script_file):
    exact = {task.subject: task for task in tasks if "*" not in task.subject and ">" not in task.subject}
    wildcards = [task for task in tasks if task.subject not in exact]

    def dispatch(body_kind, text, latin1, subject, reply, flat_headers, done=None):
        task = exact.get(subject) or next((t for t in wildcards if _subject_matches(t.subject, subject)), None)
        if task is None:
            return (CRASHED, f"no @worker.task serves subject {subject!r}")
        refusal, args, kwargs = _worker_payload(task, body_kind, text, latin1)
        if refusal is not None:
            return refusal
        try:
            data, code = task.function(*args, **kwargs), 200
        except TaskError as e:
            data, code = e.message, e.code
        except CallError as e:
            data, code = f"the call to '{e.subject}' failed: {e.message}", e.code
        except MemoryError:
            raise  # the host drops this context: what filled the heap may be in its globals
        except Exception as e:
            # The original answered {"code": 500, "data": str(e)}; the host's log gets the line too.
            if _log_sink is not None:
                _log_sink(40, f"{task.name}() on {subject} raised {_describe(e, script_file)}; answered code 500")
            data, code = str(e), 500
        try:
            # json.dumps' default separators, as the original's replies had them.
            envelope = _json_dumps({"code": code, "data": data}, ", ", ": ")
        except (TypeError, ValueError):
            return (CRASHED, f"{task.name}() returned a {type(data).__name__}, which cannot be sent as JSON"
                             " in the reply's data; return str, dict, list, a number, a bool or None")
        if code == 200:
            return (JSON, envelope)
        # The caller gets the envelope, as from the original; the host counts the call as failed.
        return (ANSWERED_FAILURE, envelope, code, str(data))

    return dispatch


def bind_worker(expected, script_file, log_sink, host):
    """The dispatcher of a worker file's tasks, after checking that each decorator the host read
    ([subject, queue, line]) registered as the file loaded: (0, dispatch) or (1, line, problem)."""
    registered = {task.subject: task for task in _worker_tasks}
    for subject, queue, line in expected:
        if subject not in registered:
            return (1, line, f"@worker.task(subject={subject!r}) registered nothing when the file loaded: it is inside"
                             " a function that is never called (or a branch not taken); put it at module level")
    read = {subject for subject, queue, line in expected}
    for task in _worker_tasks:
        if task.subject not in read:
            return (1, task.line, f"worker.task(subject={task.subject!r}) registered a task the host could not read"
                                  " from the source; write it as @worker.task(subject='...', queue='...') with string"
                                  " literals on a worker created as name = Worker(...)")
    _attach(log_sink, host)
    return (0, _worker_dispatcher(list(_worker_tasks), script_file))


_module.Worker = Worker
bind.worker = bind_worker

bind
