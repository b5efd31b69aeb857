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

    /** True for files that look like task scripts rather than editor artefacts. */
    public static boolean isCandidate(Path file) {
        String name = file.getFileName().toString();
        return !name.startsWith(".") && !name.startsWith("#") && !name.endsWith("~")
                && Language.of(file).isPresent();
    }
}
