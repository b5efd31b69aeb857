package dev.metropolis.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Flags with environment-variable fallbacks and defaults, and the help text generated from them. */
final class CommandLine {

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
    record Option(String flag, String env, String argument, String defaultValue, String help) {
        /** The same option with another default. */
        Option withDefault(String value) {
            return new Option(flag, env, argument, value, help);
        }
    }

    /** A command line that cannot be understood; the message says what to fix. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private CommandLine() {}

    /** Several option lists as one, in order. */
    @SafeVarargs
    static List<Option> concat(List<Option>... lists) {
        return java.util.Arrays.stream(lists).flatMap(List::stream).toList();
    }

    /**
     * Resolves every option: flag ({@code --x v} or {@code --x=v}), else environment, else default.
     * Options with no value at all are absent from the result.
     */
    static Map<String, String> parse(List<Option> options, String[] args, Map<String, String> env) throws UsageException {
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
    static int integer(Map<String, String> values, String flag) {
        long value = wholeNumber(values, flag);
        if (value != (int) value) {
            throw new IllegalArgumentException(flag + " is too large: " + value);
        }
        return (int) value;
    }

    static long wholeNumber(Map<String, String> values, String flag) {
        try {
            return Long.parseLong(values.get(flag).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " expects a whole number, got '" + values.get(flag) + "'");
        }
    }

    /** Whether a switch is on: "true" or "false", as given by flag, environment or default. */
    static boolean isOn(Map<String, String> values, String flag) {
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
    static String help(String usage, String description, List<Option> options) {
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
