package dev.metropolis.script;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** A guest language a task script can be written in, recognised by the file extension. */
public enum Language {
    PYTHON("python", "#", ".py"),
    JAVASCRIPT("js", "//", ".js", ".mjs");

    private final String id;
    private final String commentPrefix;
    private final String[] extensions;

    Language(String id, String commentPrefix, String... extensions) {
        this.id = id;
        this.commentPrefix = commentPrefix;
        this.extensions = extensions;
    }

    /** The GraalVM language id ("python", "js"). */
    public String id() {
        return id;
    }

    /** The line-comment marker that prefixes every header line ("#" or "//"). */
    public String commentPrefix() {
        return commentPrefix;
    }

    /** The language of a script file, or empty when the extension is not one we serve. */
    public static Optional<Language> of(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (Language language : values()) {
            for (String extension : language.extensions) {
                if (name.endsWith(extension) && name.length() > extension.length()) {
                    return Optional.of(language);
                }
            }
        }
        return Optional.empty();
    }
}
