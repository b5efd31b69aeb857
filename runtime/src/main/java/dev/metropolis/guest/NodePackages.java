package dev.metropolis.guest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finding a module file in an npm package folder, as Node does for the common cases: a file with
 * or without its extension, a folder with {@code package.json} ({@code exports} as a string or
 * with conditions, {@code module}, {@code main}) or an {@code index.js}. Subpath export maps and
 * wildcards are not read; such packages are imported by their file path.
 */
final class NodePackages {
    /** The conditions {@code require()} takes, in order of preference. */
    static final List<String> REQUIRE = List.of("require", "node", "default");
    /** The conditions an {@code import} takes, in order of preference. */
    static final List<String> IMPORT = List.of("import", "module", "default");
    private static final List<String> SUFFIXES = List.of("", ".js", ".cjs", ".mjs", ".json");

    private NodePackages() {}

    /** {@code base} as a file (perhaps without its extension) or as a folder module. */
    static Optional<Path> find(Path base, List<String> conditions) {
        return asFile(base).or(() -> asFolder(base, conditions));
    }

    static Optional<Path> asFile(Path base) {
        for (String suffix : SUFFIXES) {
            Path candidate = Path.of(base + suffix);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> asFolder(Path dir, List<String> conditions) {
        Path manifest = dir.resolve("package.json");
        if (Files.isRegularFile(manifest)) {
            String json;
            try {
                json = Files.readString(manifest);
            } catch (IOException e) {
                return Optional.empty(); // unreadable manifest: fall back to index.js as Node does
            }
            for (String key : keys(conditions)) {
                Matcher entry = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
                if (entry.find()) {
                    Path target = dir.resolve(entry.group(1)).normalize();
                    Optional<Path> found = asFile(target).or(() -> asFile(target.resolve("index")));
                    if (found.isPresent()) {
                        return found;
                    }
                }
            }
        }
        return asFile(dir.resolve("index"));
    }

    private static List<String> keys(List<String> conditions) {
        List<String> keys = new java.util.ArrayList<>(conditions);
        keys.add("exports");
        if (conditions == IMPORT) {
            keys.add("module");
        }
        keys.add("main");
        return keys;
    }
}
