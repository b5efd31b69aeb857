package dev.metropolis.cli;

import dev.metropolis.command.CommandLine;
import dev.metropolis.command.CommandLine.Option;
import dev.metropolis.command.CommandLine.UsageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A verb's command line split into its positional arguments, its options (parsed by
 * {@link CommandLine#parse}) and the values of options that may repeat ({@code --header}); {@code -v}
 * and {@code -} (stdin) are arguments of their own, not options.
 *
 * @param positional what is not an option, in order
 * @param values     the options, with environment fallbacks and defaults
 * @param repeated   every value of the repeatable option, in order
 * @param verbose    whether {@code -v} was given
 */
record Arguments(List<String> positional, Map<String, String> values, List<String> repeated, boolean verbose) {

    /** Splits {@code args}; {@code repeatable} names the one option that may be given more than once, or null. */
    static Arguments split(String[] args, List<Option> options, String repeatable, Map<String, String> env)
            throws UsageException {
        List<String> positional = new ArrayList<>();
        List<String> flags = new ArrayList<>();
        List<String> repeated = new ArrayList<>();
        boolean verbose = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String flag = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (arg.equals("-v") || arg.equals("--verbose")) {
                verbose = true;
            } else if (flag.equals(repeatable)) {
                if (arg.contains("=")) {
                    repeated.add(arg.substring(arg.indexOf('=') + 1));
                } else if (i + 1 < args.length) {
                    repeated.add(args[++i]);
                } else {
                    throw new UsageException("option " + flag + " needs a value");
                }
            } else if (arg.startsWith("--")) {
                flags.add(arg);
                boolean takesValue = options.stream().anyMatch(option -> option.flag().equals(flag) && option.argument() != null);
                if (takesValue && !arg.contains("=") && i + 1 < args.length) {
                    flags.add(args[++i]);
                }
            } else {
                positional.add(arg);
            }
        }
        return new Arguments(List.copyOf(positional), CommandLine.parse(options, flags.toArray(String[]::new), env),
                List.copyOf(repeated), verbose);
    }
}
