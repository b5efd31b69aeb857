package dev.metropolis.script;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Why a script cannot be served: a bad header, a syntax error, an import that fails at load.
 * The message names the file and line so the author can go straight to it.
 */
public final class ScriptProblem extends Exception {
    private static final long serialVersionUID = 1L;

    private final Path file;
    private final int line;
    private final String detail;

    /**
     * @param file   the script
     * @param line   1-based line, or 0 when the problem is not tied to a line
     * @param detail what is wrong and, where it helps, what to do
     */
    public ScriptProblem(Path file, int line, String detail) {
        super(format(file, line, detail));
        this.file = Objects.requireNonNull(file, "file");
        this.line = line;
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    public ScriptProblem(Path file, int line, String detail, Throwable cause) {
        this(file, line, detail);
        initCause(cause);
    }

    public Path file() {
        return file;
    }

    /** 1-based line of the problem, 0 when unknown. */
    public int line() {
        return line;
    }

    public String detail() {
        return detail;
    }

    private static String format(Path file, int line, String detail) {
        return line > 0 ? file + ":" + line + ": " + detail : file + ": " + detail;
    }
}
