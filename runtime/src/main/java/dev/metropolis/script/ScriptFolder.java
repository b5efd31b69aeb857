package dev.metropolis.script;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The folder of task scripts: which of its files are candidates to serve. */
public final class ScriptFolder {
    private final Path root;

    public ScriptFolder(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /**
     * The script files directly in the folder, sorted by name. Hidden files and editor leftovers
     * (backups, swap files) are skipped; subfolders are not searched.
     */
    public List<Path> scriptFiles() throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("the scripts folder " + root + " does not exist or is not a folder");
        }
        try (Stream<Path> entries = Files.list(root)) {
            return entries.filter(Files::isRegularFile)
                    .filter(ScriptFolder::isCandidate)
                    .sorted()
                    .toList();
        }
    }

    /**
     * Every file whose change may matter, in the folder and its subfolders (helpers, packages,
     * data): scripts and JSON beside the tasks, anything in subfolders; never hidden files and folders, editor leftovers and bytecode caches.
     */
    public List<Path> watchedFiles() throws IOException {
        try (Stream<Path> entries = Files.walk(root)) {
            return entries.filter(Files::isRegularFile).filter(file -> isWatched(root, file)).sorted().toList();
        }
    }

    /** The subfolders of the folder that {@link #watchedFiles()} looks into. */
    public List<Path> subfolders() throws IOException {
        try (Stream<Path> entries = Files.walk(root)) {
            return entries.filter(Files::isDirectory).filter(dir -> !dir.equals(root) && isWatched(root, dir)).toList();
        }
    }

    /**
     * True for scripts and JSON files directly in the folder and for any file in a subfolder, unless
     * some part of its path is hidden, an editor artefact or a bytecode cache.
     */
    public static boolean isWatched(Path root, Path file) {
        Path relative = root.relativize(file.toAbsolutePath().normalize());
        if (relative.getNameCount() == 1 && !Files.isDirectory(file)
                && !(isCandidate(file) || relative.toString().endsWith(".json"))) {
            return false; // notes and other files beside the scripts are not code
        }
        for (Path part : relative) {
            String name = part.toString();
            if (name.startsWith(".") || name.startsWith("#") || name.endsWith("~") || name.equals("__pycache__")) {
                return false;
            }
        }
        return true;
    }

    /** True for files that look like task scripts rather than editor artefacts. */
    public static boolean isCandidate(Path file) {
        String name = file.getFileName().toString();
        return !name.startsWith(".") && !name.startsWith("#") && !name.endsWith("~")
                && Language.of(file).isPresent();
    }
}
