package dev.metropolis.script;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.FileVisitResult;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
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
        List<Path> files = new ArrayList<>();
        walk(files, null);
        return files.stream().sorted().toList();
    }

    /** The subfolders of the folder that {@link #watchedFiles()} looks into. */
    public List<Path> subfolders() throws IOException {
        List<Path> dirs = new ArrayList<>();
        walk(null, dirs);
        return dirs;
    }

    /**
     * Walks the tree without following links, skipping hidden folders and caches. A file that
     * vanishes during the walk (an editor's temporary file renamed over a script) is skipped, not
     * an error: the next scan sees the folder as it is then.
     */
    private void walk(List<Path> files, List<Path> dirs) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                if (dir.equals(root)) {
                    return FileVisitResult.CONTINUE;
                }
                if (!isWatched(root, dir)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (dirs != null) {
                    dirs.add(dir);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (files != null && attributes.isRegularFile() && isWatched(root, file)) {
                    files.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // gone or unreadable since it was listed
            }
        });
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
