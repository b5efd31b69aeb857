package dev.metropolis.host;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which served scripts depend on which files: every file a version read while loading (its
 * imports, direct or transitive, packages and data files), as recorded by the guest file system.
 * Pure: the decision of what a change reloads, tested without files.
 */
record ImportGraph(Map<Path, Set<Path>> reads) {

    ImportGraph {
        reads = Map.copyOf(reads);
    }

    /** The served scripts (other than the changed files themselves) that read any of {@code changed}. */
    Set<Path> dependents(Collection<Path> changed) {
        Set<Path> dependents = new TreeSet<>();
        reads.forEach((script, files) -> {
            if (!changed.contains(script) && changed.stream().anyMatch(files::contains)) {
                dependents.add(script);
            }
        });
        return dependents;
    }

    /** Whether any served script read {@code file}: a header-less file that is, is a module, not a forgotten task. */
    boolean isImported(Path file) {
        return reads.entrySet().stream().anyMatch(entry -> !entry.getKey().equals(file) && entry.getValue().contains(file));
    }
}
