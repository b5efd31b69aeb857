package dev.metropolis.command;

import dev.metropolis.logging.Logging;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Flags with environment-variable fallbacks and defaults, and the help text generated from them. */
public final class CommandLine {

    /**
     * One option.
     *
     * @param flag         the long flag, e.g. "--scripts"
     * @param env          the environment variable read when the flag is absent, or null
     * @param argument     the placeholder shown in help, e.g. "DIR"; null for a switch ({@code --watch}
     *                     means true, {@code --watch=false} false)
     * @param defaultValue used when neither flag nor variable is set, or null
     * @param help         one line saying what it does
     */
    public record Option(String flag, String env, String argument, String defaultValue, String help) {
        /** The same option with another default. */
        public Option withDefault(String value) {
            return new Option(flag, env, argument, value, help);
        }
    }

    /** A command line that cannot be understood; the message says what to fix. */
    public static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }
    }

    private CommandLine() {}

    /** A command's body: returns its exit status, throws on bad usage or a failed start. */
    @FunctionalInterface
    public interface Command {
        int run() throws UsageException, IOException, InterruptedException;
    }

    /**
     * Runs a command and turns its failures into exit statuses with a message on stderr: 2 for a
     * command line that cannot be understood (or a value out of range), 1 for a failed start, 130
     * when interrupted.
     */
    public static int exitCode(String name, Command command) {
        try {
            return command.run();
        } catch (UsageException | IllegalArgumentException e) {
            System.err.println("metropolis " + name + ": " + e.getMessage());
            System.err.println("Run 'metropolis " + name + " --help' for the options.");
            return 2;
        } catch (IOException e) {
            System.err.println("metropolis " + name + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** As {@link #parse}, then sets up logging as the options say (level and format, on stdout). */
    public static Map<String, String> parseAndLog(List<Option> options, String[] args, Map<String, String> env)
            throws UsageException {
        Map<String, String> values = parse(options, args, env);
        Logging.install(LogOptions.level(values.get(LogOptions.LEVEL.flag())),
                Logging.Format.of(values.get(LogOptions.FORMAT.flag())), System.out);
        return values;
    }

    /** Several option lists as one, in order. */
    @SafeVarargs
    public static List<Option> concat(List<Option>... lists) {
        return java.util.Arrays.stream(lists).flatMap(List::stream).toList();
    }

    /**
     * Resolves every option: flag ({@code --x v} or {@code --x=v}), else environment, else default.
     * Options with no value at all are absent from the result.
     */
    public static Map<String, String> parse(List<Option> options, String[] args, Map<String, String> env) throws UsageException {
        Map<String, String> values = new LinkedHashMap<>();
        for (Option option : options) {
            if (option.env() != null && env.get(option.env()) != null && !env.get(option.env()).isBlank()) {
                values.put(option.flag(), env.get(option.env()));
            } else if (option.defaultValue() != null) {
                values.put(option.flag(), option.defaultValue());
            }
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String flag = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            Option option = options.stream().filter(o -> o.flag().equals(flag)).findFirst()
                    .orElseThrow(() -> new UsageException("unknown option '" + arg + "'; see --help"));
            if (arg.contains("=")) {
                values.put(flag, arg.substring(arg.indexOf('=') + 1));
            } else if (option.argument() == null) {
                values.put(flag, "true");
            } else if (i + 1 < args.length) {
                values.put(flag, args[++i]);
            } else {
                throw new UsageException("option " + flag + " needs a value (" + option.argument() + ")");
            }
        }
        return values;
    }

    /** A whole-number option; a clear message names the option when the value is not one. */
    public static int integer(Map<String, String> values, String flag) {
        long value = wholeNumber(values, flag);
        if (value != (int) value) {
            throw new IllegalArgumentException(flag + " is too large: " + value);
        }
        return (int) value;
    }

    public static long wholeNumber(Map<String, String> values, String flag) {
        try {
            return Long.parseLong(values.get(flag).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " expects a whole number, got '" + values.get(flag) + "'");
        }
    }

    /** Whether a switch is on: "true" or "false", as given by flag, environment or default. */
    public static boolean isOn(Map<String, String> values, String flag) {
        String value = values.get(flag);
        return switch (value == null ? "false" : value.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException(flag + " is a switch: true or false, got '" + value + "'");
        };
    }

    private static String left(Option option) {
        return option.argument() == null ? option.flag() : option.flag() + " " + option.argument();
    }

    /** The help text: usage line, then one aligned line per option with its variable and default. */
    public static String help(String usage, String description, List<Option> options) {
        StringBuilder text = new StringBuilder("Usage: ").append(usage).append("\n\n").append(description).append("\n\nOptions:\n");
        int width = options.stream().mapToInt(o -> left(o).length()).max().orElse(10) + 2;
        for (Option option : options) {
            String left = left(option);
            text.append("  ").append(left).append(" ".repeat(width - left.length())).append(option.help());
            if (option.env() != null) {
                text.append(" [env ").append(option.env()).append(']');
            }
            if (option.defaultValue() != null) {
                text.append(" (default: ").append(option.defaultValue()).append(')');
            }
            text.append('\n');
        }
        text.append("  --help").append(" ".repeat(Math.max(1, width - 6))).append("show this help\n");
        return text.toString();
    }
}
