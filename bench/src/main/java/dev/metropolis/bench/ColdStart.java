package dev.metropolis.bench;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts a host (the command after {@code --}) and measures, from the moment the process is spawned:
 * the first reply of each {@code --probe name|subject|payload}, then the latency of the first call of
 * each {@code --first name|subject|payload}, optionally hot-reload latency ({@code --reload}), the time a
 * script added to the watched folder takes to answer ({@code --add}), and heap
 * and RSS after full GCs ({@code --memory true}). Stops the host with SIGTERM at the end.
 */
final class ColdStart {
    private static final Pattern READY = Pattern.compile("host ready in (\\d+) ms");
    private static final Pattern RUNTIME = Pattern.compile("Truffle runtime: ([^(]+?)\\s*(\\(|$)");
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");

    private final Connection nc;
    private final String id;
    private final Duration limit;
    private Process host;
    private long spawned;
    private volatile long readyLogged = -1;
    private volatile String runtime;
    private volatile boolean stopping;

    private ColdStart(Connection nc, String id, Duration limit) {
        this.nc = nc;
        this.id = id;
        this.limit = limit;
    }

    /** name|subject|payload */
    private record Probe(String name, String subject, byte[] payload) {
        static Probe parse(String spec) {
            String[] parts = spec.split("\\|", 3);
            if (parts.length < 2) {
                throw new IllegalArgumentException("expected name|subject|payload, got '" + spec + "'");
            }
            return new Probe(parts[0], parts[1], (parts.length == 3 ? parts[2] : "").getBytes(StandardCharsets.UTF_8));
        }
    }

    static void run(Args args) throws Exception {
        Options options = Options.builder().server(args.get("nats")).connectionName("bench-coldstart").reportNoResponders().build();
        try (Connection nc = Nats.connect(options)) {
            ColdStart cold = new ColdStart(nc, args.get("id"), args.seconds("timeout", 180));
            try {
                cold.measure(args);
            } finally {
                cold.stop();
            }
        }
    }

    private void measure(Args args) throws Exception {
        List<Probe> probes = args.all("probe").stream().map(Probe::parse).toList();
        spawn(args.command(), Path.of(args.get("log")));
        List<CompletableFuture<Double>> firsts = new ArrayList<>();
        for (Probe probe : probes) {
            firsts.add(CompletableFuture.supplyAsync(() -> firstReply(probe)));
        }
        for (int i = 0; i < probes.size(); i++) {
            Samples.emit(id + ".first_reply." + probes.get(i).name(), "ms", List.of(firsts.get(i).join()));
        }
        awaitReadyLine(probes.isEmpty() ? limit : Duration.ofSeconds(30));
        if (readyLogged >= 0) {
            Samples.emit(id + ".ready_log", "ms", List.of((double) readyLogged));
        }
        if (runtime != null) {
            System.out.println("meta\ttruffle\t" + runtime);
        }
        for (String spec : args.all("first")) {
            Thread.sleep(500); // let the previous call's compilations settle
            Probe probe = Probe.parse(spec);
            Message reply;
            double ms;
            long deadline = System.nanoTime() + limit.toNanos();
            while (true) {
                long t0 = System.nanoTime();
                reply = nc.request(probe.subject(), null, probe.payload(), Duration.ofSeconds(60));
                ms = (System.nanoTime() - t0) / 1e6;
                // No reply or a status: no responders yet (the subscription is not at the server), the task did not run.
                if ((reply != null && !reply.isStatusMessage()) || !host.isAlive() || System.nanoTime() > deadline) {
                    break;
                }
                Thread.sleep(5);
            }
            check(probe, reply);
            Samples.emit(id + ".first_call." + probe.name(), "ms", List.of(ms));
        }
        for (String spec : args.all("reload")) {
            reload(spec, args.integer("reloads", 3));
        }
        for (String spec : args.all("add")) {
            add(spec);
        }
        int warm = args.integer("warm", 0);
        for (Probe probe : probes) {
            for (int i = 0; i < warm; i++) {
                nc.request(probe.subject(), null, probe.payload(), Duration.ofSeconds(10));
            }
        }
        if (Boolean.parseBoolean(args.get("memory", "false"))) {
            int readings = args.integer("readings", 5);
            memory(id, readings);
            for (String spec : args.all("stage")) {
                stage(spec);
                memory(spec.split("\\|")[0], readings);
            }
        }
    }

    /**
     * {@code id|from-dir|to-dir|subject-prefix|count}: copies the scripts of from-dir into the folder the
     * host watches, then waits until subjects prefix1..prefixN all answer (the new contexts are warm).
     */
    private void stage(String spec) throws Exception {
        String[] parts = spec.split("\\|");
        Path to = Path.of(parts[2]);
        try (var files = Files.list(Path.of(parts[1]))) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
        for (int i = 1; i <= Integer.parseInt(parts[4]); i++) {
            firstReply(new Probe("staged", parts[3] + i, "x".getBytes(StandardCharsets.UTF_8)), System.nanoTime());
        }
    }

    private void spawn(List<String> command, Path log) throws IOException {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("give the host's command line after --");
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        spawned = System.nanoTime();
        host = builder.start();
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true);
        Thread.ofPlatform().daemon(true).name("host-log").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    out.println(line);
                    Matcher ready = READY.matcher(line);
                    if (ready.find()) {
                        readyLogged = Long.parseLong(ready.group(1));
                    }
                    Matcher truffle = RUNTIME.matcher(line);
                    if (truffle.find()) {
                        runtime = truffle.group(1);
                    }
                }
            } catch (IOException e) {
                if (!stopping) { // stopping closes the stream under the reader
                    System.err.println(id + ": reading the host's output failed: " + e);
                }
            } finally {
                out.close();
            }
        });
    }

    /** Milliseconds from spawn to the first reply from the task (any reply but "no responders"). */
    private double firstReply(Probe probe) {
        return firstReply(probe, spawned);
    }

    private double firstReply(Probe probe, long since) {
        long deadline = since + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!host.isAlive()) {
                throw new IllegalStateException(id + ": the host exited with " + host.exitValue() + " before '"
                        + probe.subject() + "' answered");
            }
            try {
                Message reply = nc.request(probe.subject(), null, probe.payload(), Duration.ofSeconds(30));
                if (reply != null && !reply.isStatusMessage()) {
                    double ms = (System.nanoTime() - since) / 1e6;
                    check(probe, reply);
                    return ms;
                }
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (RuntimeException e) {
                sleepQuietly(5);
            }
        }
        throw new IllegalStateException(id + ": no reply on '" + probe.subject() + "' within " + limit);
    }

    private void awaitReadyLine(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (readyLogged < 0 && System.nanoTime() < deadline && host.isAlive()) {
            Thread.sleep(20);
        }
    }

    /**
     * Hot reload: {@code name|subject|file}; the file holds the marker v1 and the task replies with it. Each
     * round rewrites v(i) as v(i+1) and times how long until the task replies v(i+1).
     */
    private void reload(String spec, int rounds) throws Exception {
        String[] parts = spec.split("\\|", 3);
        Path file = Path.of(parts[2]);
        List<Double> times = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            Thread.sleep(1500); // a save is a separate event from the previous one, as in an editor
            String next = "v" + (round + 1);
            Files.writeString(file, Files.readString(file).replace("v" + round, next));
            long t0 = System.nanoTime();
            long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                Message reply = nc.request(parts[1], null, new byte[0], Duration.ofSeconds(5));
                if (reply != null && new String(reply.getData(), StandardCharsets.UTF_8).contains(next)) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(id + ": '" + parts[1] + "' still not at " + next + " after 60 s");
                }
                Thread.sleep(5);
            }
            times.add((System.nanoTime() - t0) / 1e6);
        }
        Samples.emit(id + ".reload." + parts[0], "ms", times);
    }

    /**
     * A new script on a running host: {@code name|subject|template|folder} copies the template into the
     * folder the host watches and times how long until the subject answers (not "no responders").
     */
    private void add(String spec) throws Exception {
        String[] parts = spec.split("\\|", 4);
        Path template = Path.of(parts[2]);
        Thread.sleep(1500); // a separate event from the last save
        long t0 = System.nanoTime();
        Files.copy(template, Path.of(parts[3]).resolve(template.getFileName()));
        long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            Message reply = nc.request(parts[1], null, new byte[0], Duration.ofSeconds(5));
            if (reply != null && !reply.isStatusMessage()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(id + ": new script " + template.getFileName() + " not answering after 60 s");
            }
            Thread.sleep(5);
        }
        Samples.emit(id + ".added." + parts[0], "ms", List.of((System.nanoTime() - t0) / 1e6));
    }

    /**
     * Heap used after a full GC (jcmd) and the process's resident set, a few readings a second apart.
     * The Graal compiler allocates on the same heap while it works, so the smallest reading is the
     * retained size; the report uses the minimum for heap.
     */
    private void memory(String label, int readings) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        String pid = Long.toString(host.pid());
        List<Double> heap = new ArrayList<>(), rss = new ArrayList<>();
        for (int i = 0; i < readings; i++) {
            command(jcmd, pid, "GC.run");
            Matcher used = HEAP_USED.matcher(command(jcmd, pid, "GC.heap_info"));
            Matcher resident = RSS.matcher(Files.readString(Path.of("/proc", pid, "status")));
            if (!used.find() || !resident.find()) {
                throw new IllegalStateException("could not read heap or RSS of process " + pid);
            }
            heap.add(Long.parseLong(used.group(1)) / 1024.0);
            rss.add(Long.parseLong(resident.group(1)) / 1024.0);
            Thread.sleep(1000);
        }
        Samples.emit(label + ".heap", "MiB", heap);
        Samples.emit(label + ".rss", "MiB", rss);
    }

    private static String command(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    private void check(Probe probe, Message reply) {
        if (reply == null || reply.isStatusMessage()
                || (reply.hasHeaders() && reply.getHeaders().containsKey("Nats-Service-Error-Code"))) {
            String text = reply == null ? "no reply" : new String(reply.getData(), StandardCharsets.UTF_8);
            System.err.println(id + ": '" + probe.subject() + "' answered with an error: " + text);
        }
    }

    private void stop() throws InterruptedException {
        if (host == null) {
            return;
        }
        stopping = true;
        host.destroy(); // SIGTERM: the host drains and exits
        if (!host.waitFor(20, TimeUnit.SECONDS)) {
            host.destroyForcibly();
            host.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
