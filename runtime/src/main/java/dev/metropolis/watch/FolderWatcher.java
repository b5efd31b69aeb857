package dev.metropolis.watch;

import dev.metropolis.script.ScriptFolder;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Watches the scripts folder and its subfolders (helpers, node_modules, site-packages, data) and
 * reports which files changed, were added or removed, in debounced batches. Uses native file events where the platform has them and also rescans the
 * folder periodically, which catches what events miss (network and container bind mounts).
 */
public final class FolderWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FolderWatcher.class.getName());
    private static final Duration TICK = Duration.ofMillis(25);

    private final ScriptFolder folder;
    private final Consumer<Set<Path>> onChange;
    private final Duration pollInterval;
    private final Debouncer debouncer;
    private final Thread thread;
    private Map<Path, Fingerprint> known = new HashMap<>();
    private volatile boolean running = true;
    /** Native file events, or null where the folder cannot be watched; opened by start, closed by the thread. */
    private WatchService events;

    /**
     * @param folder       the folder to watch, with its subfolders
     * @param quiet        how long the folder must be quiet before a batch is reported
     * @param pollInterval how often the folder is rescanned regardless of events
     * @param onChange     receives each batch of changed script files, on the watcher's thread
     */
    public FolderWatcher(ScriptFolder folder, Duration quiet, Duration pollInterval, Consumer<Set<Path>> onChange) {
        this.folder = Objects.requireNonNull(folder, "folder");
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        this.pollInterval = pollInterval;
        this.debouncer = new Debouncer(quiet.toNanos(), Math.max(quiet.toNanos() * 20, Duration.ofSeconds(2).toNanos()));
        this.thread = Thread.ofPlatform().daemon(true).name("script-watcher").unstarted(this::run);
    }

    /** Starts watching; changes from now on are reported (the current files are the baseline). */
    public void start() {
        // Events first, then the baseline: a change made between the two is seen by both, never by neither.
        events = openEvents();
        known = scan();
        thread.start();
    }

    private void run() {
        try (WatchService events = this.events) {
            long nextScan = System.nanoTime() + pollInterval.toNanos();
            while (running) {
                if (events != null) {
                    takeEvents(events);
                } else {
                    TimeUnit.NANOSECONDS.sleep(TICK.toNanos());
                }
                long now = System.nanoTime();
                if (now - nextScan >= 0) {
                    rescan(now);
                    nextScan = now + pollInterval.toNanos();
                }
                Set<Path> batch = debouncer.drain(System.nanoTime());
                if (!batch.isEmpty()) {
                    known = scan();
                    report(batch);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "the script watcher stopped: {0}", e.toString());
        }
    }

    /** Native events, or null where the folder cannot be watched (then polling alone finds changes). */
    private WatchService openEvents() {
        try {
            WatchService events = FileSystems.getDefault().newWatchService();
            register(events, folder.root());
            for (Path dir : folder.subfolders()) {
                register(events, dir);
            }
            LOG.log(Level.INFO, "watching {0} for script changes", folder.root());
            return events;
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(Level.INFO, "no file events for {0} ({1}); polling every {2} ms instead",
                    new Object[] {folder.root(), e.toString(), String.valueOf(pollInterval.toMillis())});
            return null;
        }
    }

    private static void register(WatchService events, Path dir) throws IOException {
        dir.register(events, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
    }

    private void takeEvents(WatchService events) throws InterruptedException {
        WatchKey key = events.poll(TICK.toMillis(), TimeUnit.MILLISECONDS);
        if (key == null) {
            return;
        }
        long now = System.nanoTime();
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                rescan(now); // events were lost: compare the whole folder
            } else if (event.context() instanceof Path name && key.watchable() instanceof Path dir) {
                Path file = dir.resolve(name);
                if (Files.isDirectory(file) && event.kind() == StandardWatchEventKinds.ENTRY_CREATE) {
                    registerNew(events, file); // e.g. npm install: its files are found by the next rescan too
                } else if (ScriptFolder.isWatched(folder.root(), file)) {
                    debouncer.record(file, now);
                }
            }
        }
        key.reset();
    }

    private void registerNew(WatchService events, Path dir) {
        try {
            register(events, dir);
        } catch (IOException e) {
            LOG.log(Level.FINE, "cannot watch {0} ({1}); the rescan finds its changes", new Object[] {dir, e.toString()});
        }
    }

    /** Compares the folder with what it held at the last report; differences count as events. */
    private void rescan(long now) {
        Map<Path, Fingerprint> current = scan();
        Set<Path> all = new HashSet<>(current.keySet());
        all.addAll(known.keySet());
        for (Path file : all) {
            if (!Objects.equals(current.get(file), known.get(file))) {
                debouncer.record(file, now);
            }
        }
    }

    private Map<Path, Fingerprint> scan() {
        Map<Path, Fingerprint> files = new HashMap<>();
        try {
            for (Path file : folder.watchedFiles()) {
                try {
                    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                    files.put(file, new Fingerprint(attributes.lastModifiedTime().toMillis(), attributes.size()));
                } catch (java.nio.file.NoSuchFileException gone) {
                    // deleted since the walk: absent from this scan, as it is from the folder
                }
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "scanning {0} failed: {1}", new Object[] {folder.root(), e.toString()});
        }
        return files;
    }

    private void report(Set<Path> batch) {
        try {
            onChange.accept(batch);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "applying script changes failed; watching on", e);
        }
    }

    private record Fingerprint(long modified, long size) {}

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
