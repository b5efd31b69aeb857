package dev.metropolis.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metropolis.script.TaskScript;
import dev.metropolis.task.Payload;
import dev.metropolis.task.TaskRequest;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The measurement behind README "Shared code": ten Python tasks importing one helper module
 * against ten tasks each importing its own copy, one context each on a shared engine. Prints
 * start-up time and retained heap; asserts only that every task answers. Run with
 * {@code -Dmetropolis.measure=true -Dtest=SharedModuleCostTest}.
 */
@EnabledIfSystemProperty(named = "metropolis.measure", matches = "true")
@Timeout(600)
class SharedModuleCostTest {
    private static final int TASKS = 10;

    @Test
    void oneSharedHelperAgainstTenCopies(@TempDir Path shared, @TempDir Path copies) throws Exception {
        String helper = helper();
        Files.writeString(shared.resolve("helper.py"), helper);
        for (int i = 0; i < TASKS; i++) {
            Files.writeString(copies.resolve("helper" + i + ".py"), helper);
        }
        try (Engines engines = new Engines()) {
            GuestContexts contexts = new GuestContexts(engines);
            measure("warm-up (not counted)", contexts, tasks(Files.createTempDirectory("warm"), "helper", false, helper));
            measure("1 shared helper", contexts, tasks(shared, "helper", false, null));
            measure("10 copies", contexts, tasks(copies, "helper", true, null));
        }
    }

    private static void measure(String label, GuestContexts contexts, List<TaskScript> scripts) throws Exception {
        long heapBefore = usedHeap();
        long started = System.nanoTime();
        List<GuestContext> live = new ArrayList<>();
        for (TaskScript script : scripts) {
            live.add(contexts.factory(script).call());
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        long heap = usedHeap() - heapBefore;
        for (GuestContext context : live) {
            byte[] data = "3".getBytes(StandardCharsets.UTF_8);
            assertThat(new String(context.invoke(new TaskRequest("t", null, Map.of(), data), Payload.classify(null, data),
                    Duration.ofSeconds(30)).body(), StandardCharsets.UTF_8)).isEqualTo("3");
        }
        System.out.printf("shared-module cost: %-22s %d contexts in %6d ms, retained heap %6.1f MiB, load average %.2f%n",
                label, live.size(), millis, heap / 1048576.0, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        live.forEach(GuestContext::close);
    }

    private static List<TaskScript> tasks(Path folder, String module, boolean ownCopy, String helperToWrite) throws Exception {
        if (helperToWrite != null) {
            Files.writeString(folder.resolve(module + ".py"), helperToWrite);
        }
        List<TaskScript> scripts = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            String name = ownCopy ? module + i : module;
            Path file = Files.writeString(folder.resolve("task" + i + ".py"), "# /// metropolis\n# subject = \"m.t" + i
                    + "\"\n# concurrency = 2\n# ///\nimport " + name + "\ndef handle(body, msg):\n    return " + name
                    + ".f0(body)\n");
            scripts.add(TaskScript.load(file).orElseThrow());
        }
        return scripts;
    }

    /** A helper of 400 small functions (about 2,000 lines): big enough that parsing it shows. */
    private static String helper() {
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            code.append("def f").append(i).append("(x):\n    y = x\n    for _ in range(1):\n        y = y + 0\n    return y\n");
        }
        return code.toString();
    }

    private static long usedHeap() {
        System.gc();
        System.gc();
        var memory = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return memory.getUsed();
    }
}
