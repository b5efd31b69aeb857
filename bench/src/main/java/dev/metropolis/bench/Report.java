package dev.metropolis.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleBinaryOperator;

/**
 * Turns the samples of a run into the results: one table per section (only the sections that ran),
 * each figure as the median with its min-max over the repetitions, ratios against the baseline
 * measured in the same run, and the targets of the benchmark issue marked met or missed.
 */
final class Report {
    private final Samples samples;
    private final StringBuilder out = new StringBuilder();
    private final List<String> missed = new ArrayList<>();

    private Report(Samples samples) {
        this.samples = samples;
    }

    static void run(Args args) throws IOException {
        Report report = new Report(Samples.read(Path.of(args.get("samples"))));
        String text = report.render();
        System.out.print(text);
        Files.writeString(Path.of(args.get("markdown")), text);
    }

    String render() {
        out.append("# Metropolis benchmarks\n\n");
        out.append("Machine: ").append(samples.meta("cpu")).append(", ").append(samples.meta("cores")).append(" cores, ")
                .append(samples.meta("memory")).append(" RAM; JDK ").append(samples.meta("jdk")).append("; Truffle runtime ")
                .append(samples.meta("truffle")).append("; nats-server ").append(samples.meta("nats_server")).append("; Node ")
                .append(samples.meta("node")).append("; CPython ").append(samples.meta("python")).append(".\n\n");
        out.append("Run: ").append(samples.meta("date")).append(", commit ").append(samples.meta("commit")).append(", ")
                .append(samples.meta("mode")).append(" mode (").append(samples.meta("plan")).append("); load average ")
                .append(samples.meta("load_before")).append(" before, ").append(samples.meta("load_after")).append(" after")
                .append(hostJavaOpts(samples.meta("host_java_opts"))).append(".\n\n");
        out.append("Figures are medians over the repetitions with [min-max] beside them; ratios compare medians "
                + "measured in this run. Everything runs on this one machine over 127.0.0.1, load generators included.\n\n");
        messaging();
        compute();
        http();
        start();
        memory();
        abilities();
        streams();
        schemas();
        streaming();
        out.append("## Targets\n\n");
        out.append(missed.isEmpty() ? "Every target measured in this run is met.\n" : "Missed: " + String.join("; ", missed) + ".\n");
        return out.toString();
    }

    // ---- 1. Messaging ------------------------------------------------------------------------

    private static final String[][] RESPONDERS = {
        {"java", "bare jnats Java responder (ceiling)"},
        {"node", "Node.js responder (npm nats)"},
        {"js", "JS task via the host"},
        {"py", "Python task via the host"},
    };

    private void messaging() {
        Table table = new Table("echo responder", "mode", "req/s", "p50 µs", "p99 µs", "server CPU µs/req", "vs Java",
                "vs Node", "target", "warm-up s");
        for (String mode : List.of("seq", "many")) {
            String modeName = mode.equals("seq") ? "sequential" : samples.meta("inflight") + " in flight";
            for (String[] responder : RESPONDERS) {
                String id = "msg." + mode + "." + responder[0];
                if (samples.get(id + ".rps") == null) {
                    continue;
                }
                String target = "";
                if (mode.equals("many") && responder[0].equals("js")) {
                    target = target(id + ".rps", "msg.many.java.rps", 0.8, "JS echo vs Java, many in flight")
                            + ", " + target(id + ".rps", "msg.many.node.rps", 1.0, "JS echo vs Node, many in flight");
                } else if (mode.equals("many") && responder[0].equals("py")) {
                    target = target(id + ".rps", "msg.many.java.rps", 0.6, "Python echo vs Java, many in flight");
                }
                table.row(responder[1], modeName, figure(id + ".rps"), figure(id + ".p50"), figure(id + ".p99"), figure(id + ".cpu"),
                        ratio(id + ".rps", "msg." + mode + ".java.rps"), ratio(id + ".rps", "msg." + mode + ".node.rps"), target,
                        figure(id + ".warmup"));
            }
        }
        section("1. Messaging overhead: echo over NATS", "Request/reply of a " + samples.meta("echo_bytes")
                + "-byte text/plain payload; the host's tasks run with concurrency " + samples.meta("echo_concurrency")
                + ". Ratios are of requests/s. Server CPU: user+system CPU time of the responder's process (the host"
                + " for tasks) per request, from /proc; it is less disturbed than req/s by other work on the machine."
                + " Warm-up: seconds of load until three 1-second windows agreed within 10%"
                + " (capped), i.e. roughly the time the JIT took to settle.", table);
    }

    // ---- 2. Compute --------------------------------------------------------------------------

    private void compute() {
        Table table = new Table("task", "runs on", "steady ms/call", "first call ms", "speedup", "target", "warm-up s");
        for (String task : List.of("fib", "transform")) {
            String size = samples.meta("cpu_" + task);
            computeRow(table, task, size, "cpython", "CPython " + samples.meta("python") + " (baseline)", null, 0, "");
            computeRow(table, task, size, "py", "Python task via the host", "cpython", task.equals("fib") ? 5 : 2, " vs CPython");
            computeRow(table, task, size, "node", "Node " + samples.meta("node") + " (baseline)", null, 0, "");
            computeRow(table, task, size, "js", "JS task via the host", "node", 0, " vs Node");
        }
        section("2. Compute: CPU-bound tasks", "Host rows are the round trip of one request at a time over NATS "
                + "(steady state after warm-up); CPython and Node call the same function from the same file in a plain loop. "
                + "First call: the first request to a freshly started host, or the first call in a fresh process.", table);
    }

    private void computeRow(Table table, String task, String size, String runtime, String label, String baseline,
            double goal, String versus) {
        String id = "cpu." + task + "." + runtime + ".mean";
        Samples.Series steady = samples.get(id);
        Samples.Series first = samples.get("cpu.first_call." + task + "_" + runtime);
        if (steady == null && first == null) {
            return;
        }
        String speedup = "", target = "";
        if (baseline != null) {
            // Lower is better: the speedup is the baseline's time over this one's.
            speedup = ratio("cpu." + task + "." + baseline + ".mean", id, (a, b) -> a / b) + versus;
            if (goal > 0) {
                target = target("cpu." + task + "." + baseline + ".mean", id, goal, task + " via the host vs CPython");
            }
        }
        if (runtime.equals("py") && first != null) {
            String firstTarget = "first call " + targetBelow(first, 500, "first call of " + task + " in Python after start");
            target = target.isEmpty() ? firstTarget : target + ", " + firstTarget;
        }
        table.row(task + "(" + size + ")", label, steady == null ? "" : figure(steady, 1e-3, "ms"),
                first == null ? "" : figure(first, 1, "ms"), speedup, target, figure("cpu." + task + "." + runtime + ".warmup"));
    }

    // ---- 3. HTTP -----------------------------------------------------------------------------

    private void http() {
        Table table = new Table("server", "connections", "req/s", "p50 µs", "p99 µs", "server CPU µs/req", "vs Helidon echo",
                "target");
        for (String conns : List.of("1", "16", "64")) {
            for (String[] server : new String[][] {{"helidon", "plain Helidon echo (ceiling)"},
                    {"bridge-java", "Helidon route -> NATS -> Java echo"}, {"bridge-js", "Helidon route -> NATS -> JS task"},
                    {"gateway", "gateway -> JS task"}, {"gateway-jwt", "gateway -> JS task, JWT verified (HS256)"}}) {
                String id = "http." + server[0] + ".c" + conns;
                if (samples.get(id + ".rps") == null) {
                    continue;
                }
                String target = switch (server[0]) {
                    case "gateway" -> conns.equals("64")
                            ? target(id + ".rps", "http.bridge-js.c64.rps", 0.95,
                                    "gateway -> JS vs the bare Helidon -> NATS bridge to the same task at 64 connections")
                            : "";
                    case "gateway-jwt" -> target(id + ".rps", "http.gateway.c" + conns + ".rps", 0.95,
                            "gateway with JWT verification vs without, at " + conns + " connection(s)");
                    default -> "";
                };
                table.row(server[1], conns, figure(id + ".rps") + errors(id), figure(id + ".p50"), figure(id + ".p99"),
                        figure(cpuPerRequest(id), 1, "us"),
                        server[0].equals("helidon") ? "" : ratio(id + ".rps", "http.helidon.c" + conns + ".rps"), target);
            }
        }
        section("3. HTTP: gateway in front of a JS echo task", "wrk, POST of the same payload, "
                + samples.meta("wrk_plan") + ". The two middle rows are a minimal HTTP-to-NATS bridge started by the bench"
                + " (one Helidon route making one NATS request): what any gateway must pay, without Metropolis' routing,"
                + " headers and error mapping. Server CPU: CPU time of the server processes (Helidon app, gateway, host,"
                + " Java responder; not nats-server or wrk) per request.", table);
    }

    /** CPU microseconds per request of each wrk run: the servers' clock ticks (10 ms) over the requests served. */
    private Samples.Series cpuPerRequest(String id) {
        Samples.Series ticks = samples.get(id + ".cpu_ticks"), requests = samples.get(id + ".requests");
        if (ticks == null || requests == null) {
            return null;
        }
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < Math.min(ticks.values().size(), requests.values().size()); i++) {
            values.add(ticks.values().get(i) * 10_000 / Math.max(1, requests.values().get(i)));
        }
        return new Samples.Series(id + ".cpu", "us", values);
    }

    private String errors(String id) {
        Samples.Series errors = samples.get(id + ".errors");
        double total = errors == null ? 0 : errors.values().stream().mapToDouble(Double::doubleValue).sum();
        return total > 0 ? String.format(Locale.ROOT, " (%.0f errors)", total) : "";
    }

    // ---- 4. Start and reload -------------------------------------------------------------------

    private void start() {
        List<Samples.Series> py = new ArrayList<>(), js = new ArrayList<>(), all = new ArrayList<>();
        for (String name : samples.meta("start_probes").split(",")) {
            Samples.Series s = samples.get("start.first_reply." + name);
            if (s != null) {
                all.add(s);
                (name.startsWith("py_") ? py : js).add(s);
            }
        }
        if (all.isEmpty()) {
            return;
        }
        Table table = new Table("measure", "ms", "target");
        Samples.Series firstPy = perRun("first Python reply", py, Math::min);
        Samples.Series firstJs = perRun("first JS reply", js, Math::min);
        table.row("host start to first JS reply", figure(firstJs, 1, "ms"), targetBelow(firstJs, 2000, "first JS reply"));
        table.row("host start to first Python reply", figure(firstPy, 1, "ms"), targetBelow(firstPy, 5000, "first Python reply"));
        table.row("host start to every example answering", figure(perRun("all", all, Math::max), 1, "ms"), "");
        Samples.Series logged = samples.get("start.ready_log");
        if (logged != null) {
            table.row("\"host ready in N ms\" as logged", figure(logged, 1, "ms"), "");
        }
        Samples.Series reload = samples.get("reload.reload.save");
        table.row("save to new version answering (hot reload, Python)",
                reload == null ? samples.meta("reload") : figure(reload, 1, "ms"),
                reload == null ? "" : targetBelow(reload, 1000, "Python hot reload"));
        Samples.Series added = samples.get("reload.added.python");
        if (added != null) {
            table.row("new Python script on a running host, to its first reply", figure(added, 1, "ms"),
                    targetBelow(added, 500, "new Python script on a running host"));
        }
        section("4. Start and reload", "From spawning `./metropolis host --scripts scripts` (the examples) to the first "
                + "reply of each task, polled every few ms; " + samples.meta("start_runs") + " fresh hosts.", table);
    }

    /** Combines several series run by run (the i-th value of each came from the i-th host start). */
    private static Samples.Series perRun(String name, List<Samples.Series> series, DoubleBinaryOperator combine) {
        int runs = series.stream().mapToInt(s -> s.values().size()).min().orElse(0);
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            double v = series.getFirst().values().get(i);
            for (Samples.Series s : series) {
                v = combine.applyAsDouble(v, s.values().get(i));
            }
            values.add(v);
        }
        return new Samples.Series(name, "ms", values);
    }

    // ---- 5. Memory ---------------------------------------------------------------------------

    private void memory() {
        Samples.Series base = samples.get("mem.base.heap");
        Samples.Series examples = samples.get("mem.examples.rss");
        if (base == null && examples == null) {
            return;
        }
        Table table = new Table("measure", "MiB", "how", "target");
        for (String[] lang : new String[][] {{"py", "Python"}, {"js", "JavaScript"}}) {
            Samples.Series more = samples.get("mem." + lang[0] + ".heap");
            String extra = samples.meta("mem_extra_" + lang[0]);
            if (base != null && more != null) {
                double n = Double.parseDouble(extra);
                double perContext = (more.min() - base.min()) / n;
                table.row("heap per warm " + lang[1] + " context", String.format(Locale.ROOT, "%.2f", perContext),
                        "(heap with " + extra + " more " + lang[1] + " echo scripts - heap before) / " + extra
                                + ", " + samples.meta("mem_method"),
                        lang[0].equals("py") ? targetBelow(new Samples.Series("py", "MiB", List.of(perContext)), 8, "MiB",
                                "heap per warm Python context") : "");
            }
        }
        if (base != null) {
            table.row("host heap, one Python + one JS echo script", figure(base, 1, "MiB"), "", "");
        }
        if (examples != null) {
            table.row("host heap, the example scripts", figure(samples.get("mem.examples.heap"), 1, "MiB"),
                    "after " + samples.meta("mem_warm") + " requests to each task", "");
            table.row("host RSS, the example scripts", figure(examples, 1, "MiB"), "VmRSS, same moment",
                    targetBelow(examples, 400, "MiB", "host RSS with the example scripts"));
        }
        section("5. Memory", "Heap is the heap used after a full GC (`jcmd GC.run`, then `GC.heap_info`), read "
                + "several times a second apart; per-context figures use the smallest reading of each state, because the "
                + "Graal compiler allocates on the same heap while it works. Echo scripts get concurrency 1: one warm "
                + "context each.", table);
    }

    // ---- Formatting ----------------------------------------------------------------------------

    private void section(String title, String note, Table table) {
        if (table.isEmpty()) {
            return;
        }
        out.append("## ").append(title).append("\n\n").append(note).append("\n\n").append(table.render()).append('\n');
    }

    private String figure(String id) {
        Samples.Series s = samples.get(id);
        return s == null ? "" : figure(s, 1, s.unit());
    }

    /** "median [min-max]" scaled by {@code scale}. */
    /** The hosts' extra JVM options ({@code METROPOLIS_JAVA_OPTS}), when the run had any. */
    private static String hostJavaOpts(String options) {
        return options.equals("none") || options.equals("?") ? "" : "; hosts ran with METROPOLIS_JAVA_OPTS=" + options;
    }

    private static String figure(Samples.Series s, double scale, String unit) {
        if (s == null || s.values().isEmpty()) {
            return "";
        }
        String median = number(s.median() * scale, unit);
        return s.values().size() == 1 ? median
                : median + " [" + number(s.min() * scale, unit) + "-" + number(s.max() * scale, unit) + "]";
    }

    private static String number(double v, String unit) {
        if (unit.equals("req/s") || Math.abs(v) >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
    }

    private String ratio(String id, String baseline) {
        return ratio(id, baseline, (a, b) -> a / b);
    }

    private String ratio(String a, String b, DoubleBinaryOperator op) {
        Samples.Series x = samples.get(a), y = samples.get(b);
        return x == null || y == null ? "" : String.format(Locale.ROOT, "%.2fx", op.applyAsDouble(x.median(), y.median()));
    }

    /** Checks median(a) / median(b) >= goal (for times pass the baseline as a: a speedup). */
    private String target(String a, String b, double goal, String what) {
        Samples.Series x = samples.get(a), y = samples.get(b);
        String goalText = String.format(Locale.ROOT, goal * 10 == Math.rint(goal * 10) ? ">= %.1fx" : ">= %.2fx", goal);
        if (x == null || y == null) {
            return goalText + ": not measured";
        }
        double ratio = x.median() / y.median();
        if (ratio >= goal) {
            return goalText + " met";
        }
        missed.add(String.format(Locale.ROOT, "%s %.2fx (target %s)", what, ratio, goalText));
        return goalText + " MISSED";
    }

    private String targetBelow(Samples.Series s, double limitMs, String what) {
        return limitMs < 1000 ? targetBelow(s, limitMs, "ms", what) : targetBelow(s, limitMs, "s", what);
    }

    /** "< limit unit met" or MISSED (then listed under Targets); the series is in ms, or in MiB for unit "MiB". */
    private String targetBelow(Samples.Series s, double limit, String unit, String what) {
        double scale = unit.equals("s") ? 1000 : 1;
        String goalText = String.format(Locale.ROOT, "< %s %s", number(limit / scale, unit), unit);
        if (s == null || s.values().isEmpty()) {
            return goalText + ": not measured";
        }
        if (s.median() < limit) {
            return goalText + " met";
        }
        missed.add(String.format(Locale.ROOT, "%s %s %s (target %s)", what, number(s.median() / scale, unit), unit, goalText));
        return goalText + " MISSED";
    }

    // ---- 6. Task abilities -------------------------------------------------------------------

    private void abilities() {
        Table table = new Table("what", "through the host", "baseline", "ratio", "host CPU µs/req");
        if (samples.get("abl.call.chain.rps") != null) {
            table.row("a JS task calling a JS echo task, " + samples.meta("inflight_chain") + " in flight (req/s)",
                    figure("abl.call.chain.rps"), "the echo called directly: " + figure("abl.call.direct.rps"),
                    ratio("abl.call.chain.rps", "abl.call.direct.rps"),
                    figure("abl.call.chain.cpu") + " vs " + figure("abl.call.direct.cpu"));
        }
        if (samples.get("abl.fetch.js.mean") != null) {
            table.row("JS `fetch` POST to a local Helidon echo, one at a time (µs per request)", figure("abl.fetch.js.mean"),
                    "Node " + samples.meta("node") + " fetch loop: " + figure("abl.fetch.node.mean"),
                    ratio("abl.fetch.node.mean", "abl.fetch.js.mean", (a, b) -> a / b), figure("abl.fetch.js.cpu"));
        }
        if (samples.get("abl.fetch.py.mean") != null) {
            table.row("Python `metropolis.http.post` to the same echo (µs per request)", figure("abl.fetch.py.mean"),
                    "CPython urllib loop: " + figure("abl.fetch.cpython.mean"),
                    ratio("abl.fetch.cpython.mean", "abl.fetch.py.mean", (a, b) -> a / b), figure("abl.fetch.py.cpu"));
        }
        if (samples.get("abl.kv.js.mean") != null) {
            table.row("KV get + put in a JS task (µs per message)", figure("abl.kv.js.mean"),
                    "bare jnats KV get + put loop: " + figure("abl.kv.java.mean"),
                    ratio("abl.kv.java.mean", "abl.kv.js.mean", (a, b) -> a / b), figure("abl.kv.js.cpu"));
        }
        section("6. Task abilities: calls, HTTP out, key-value state", "Host rows are measured from a NATS client"
                + " sending one request at a time (the chain row: many in flight), so they include the request/reply"
                + " round trip to the host; the baselines are the same work in a plain loop with no NATS in front."
                + " Ratio: baseline time over host time (1.0x = as fast), or requests/s against the direct call.", table);
    }

    // ---- 8. Input schemas --------------------------------------------------------------------

    private void schemas() {
        if (samples.get("schema.checked.rps") == null) {
            return;
        }
        Table table = new Table("JS echo task, " + samples.meta("inflight") + " in flight", "req/s", "p99 µs",
                "host CPU µs/msg", "vs no schema");
        table.row("no input schema", figure("schema.plain.rps"), figure("schema.plain.p99"), figure("schema.plain.cpu"), "1.00x");
        table.row("input schema checked by the host", figure("schema.checked.rps"), figure("schema.checked.p99"),
                figure("schema.checked.cpu"), ratio("schema.checked.rps", "schema.plain.rps"));
        Samples.Series plain = samples.get("schema.plain.cpu");
        Samples.Series checked = samples.get("schema.checked.cpu");
        String cost = plain == null || checked == null ? "" : String.format(Locale.ROOT,
                " Validation cost: %.1f µs of host CPU per message (the medians' difference).", checked.median() - plain.median());
        section("8. Input schemas: validation cost per message", "The same " + samples.meta("schema_bytes") + "-byte JSON"
                + " order echoed by two JS tasks of one host, one after the other: one declares an input schema (required"
                + " fields, a pattern, bounds, an array of strings, no other properties), which the host parses the body"
                + " for and checks before the task runs; the other declares none." + cost, table);
    }

    // ---- 7. Stream-triggered tasks -----------------------------------------------------------

    private void streams() {
        Table table = new Table("consumer", "messages acked/s", "vs bare jnats");
        if (samples.get("stream.bare.rate") != null) {
            table.row("bare jnats pull consumer (fetch 64, ack each)", figure("stream.bare.rate"), "1.00x");
        }
        if (samples.get("stream.host.rate") != null) {
            table.row("stream-triggered JS echo task, 1 host (concurrency " + samples.meta("stream_concurrency") + ")",
                    figure("stream.host.rate"), ratio("stream.host.rate", "stream.bare.rate"));
        }
        section("7. Stream-triggered tasks: echo throughput", "Each window publishes " + samples.meta("stream_messages")
                + " messages of " + samples.meta("echo_bytes") + " bytes into a work-queue stream (file storage), then"
                + " times until the durable consumer has acked them all (its pending and ack-pending both 0), publishing"
                + " included. The host pulls, runs the task, and acks; the baseline pulls and acks in one Java thread.",
                table);
    }

    // ---- 8. Streamed replies -------------------------------------------------------------------

    private void streaming() {
        Table table = new Table("transport", "chunks/s", "first chunk (ms)");
        if (samples.get("strm.nats.rate") != null) {
            table.row("NATS, a jnats consumer acking every 16th chunk", figure("strm.nats.rate"), figure("strm.nats.first"));
        }
        if (samples.get("strm.sse.rate") != null) {
            table.row("HTTP through the gateway, Server-Sent Events", figure("strm.sse.rate"), figure("strm.sse.first"));
        }
        section("9. Streamed replies: a streaming echo", "A JS generator task yields the " + samples.meta("echo_bytes")
                + "-byte chunk it is sent " + samples.meta("stream_chunks") + " times; one stream at a time, the rate is"
                + " chunks over the whole stream, request to end (window " + samples.meta("stream_window") + ").", table);
    }
}
