package dev.metropolis.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time a process used, from {@code /proc/PID/stat} (user + system, in clock ticks). CPU spent
 * per request is far less disturbed by other work on a shared machine than requests per second.
 */
final class CpuTime {
    /** USER_HZ: Linux reports these fields in hundredths of a second. */
    private static final double MICROS_PER_TICK = 10_000;

    private CpuTime() {}

    static long ticks(List<Long> pids) {
        long total = 0;
        for (long pid : pids) {
            total += ticks(pid);
        }
        return total;
    }

    static double micros(long ticks) {
        return ticks * MICROS_PER_TICK;
    }

    private static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CPU time of process " + pid, e);
        }
    }
}
