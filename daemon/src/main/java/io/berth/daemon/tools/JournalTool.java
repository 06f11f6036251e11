package io.berth.daemon.tools;

import io.berth.daemon.config.ConfigLoader;
import io.berth.daemon.config.DaemonConfig;
import io.berth.daemon.system.UsernsRemap;
import io.berth.errors.EngineException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code berthd journal COMMAND}: operator tools that read a daemon's journal and change nothing, so
 * they work on a stopped daemon's data root and beside a running daemon alike. This class parses the
 * command line, finds the journal and maps outcomes to exit codes; {@link Verify}, {@link Dump} and
 * {@link Explain} do the work.
 */
public final class JournalTool {

    /** Success, and for {@code verify} a journal without problems. */
    static final int OK = 0;
    /** {@code verify} found problems, or the command failed (no journal, no such container...). */
    static final int FAILED = 1;
    /** The command line is wrong. */
    static final int USAGE = 2;

    static final String COMMON_OPTIONS = """
                  --config-file string   Daemon configuration file to take the data root from
                                         (default /etc/berth/daemon.json)
                  --data-root string     Root directory of persistent state (default: daemon.json's
                                         data-root, else /var/lib/berth)
              -h, --help                 Print usage
            """;

    private static final String USAGE_TEXT = """
            Usage:  berthd journal COMMAND [OPTIONS]

            Read a daemon's event journal without changing it: on a stopped daemon's data root, or
            beside a running daemon.

            Commands:
              verify    Check the journal's integrity: damaged entries, sequence gaps, a torn or cut-short tail
              dump      Print journal entries as text or JSON lines, optionally filtered
              explain   Tell one container's history in plain words

            Run 'berthd journal COMMAND --help' for more information on a command.
            """;

    /** One subcommand: its usage text, its options and what it does. */
    interface Command {
        String usage();

        /** Options that take a value, besides the common ones. */
        default Set<String> valued() {
            return Set.of();
        }

        /** Options without a value, besides {@code --help}. */
        default Set<String> switches() {
            return Set.of();
        }

        int run(Options options, PrintStream out);
    }

    private JournalTool() {}

    /** Runs a command from {@code berthd journal ...} and exits with its status. */
    public static void main(String[] args) {
        // Buffered: a dump can be millions of lines, and System.out flushes each one.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        int status = run(args, out, System.err);
        out.flush();
        System.exit(status);
    }

    /** Runs {@code args} (the words after {@code journal}) and returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            (args.length == 0 ? err : out).print(USAGE_TEXT);
            return args.length == 0 ? USAGE : OK;
        }
        String name = args[0];
        Command command = switch (name) {
            case "verify" -> new Verify();
            case "dump" -> new Dump();
            case "explain" -> new Explain();
            default -> null;
        };
        if (command == null) {
            err.println("berthd journal: unknown command \"" + name + "\"\nSee 'berthd journal --help'.");
            return USAGE;
        }
        try {
            Options options = Options.parse(Arrays.copyOfRange(args, 1, args.length), command);
            if (options.has("--help")) {
                out.print(command.usage());
                return OK;
            }
            return command.run(options, out);
        } catch (UsageException e) {
            err.println("berthd journal " + name + ": " + e.getMessage() + "\nSee 'berthd journal " + name
                    + " --help'.");
            return USAGE;
        } catch (EngineException | UncheckedIOException e) {
            out.flush();
            err.println("berthd journal " + name + ": " + e.getMessage());
            return FAILED;
        }
    }

    /**
     * The journal directory the options name: under the data root given, or the configured one (its
     * {@code UID.GID} directory when the daemon remaps ids), or the default.
     */
    static Path journalDir(Options o) {
        String root = o.value("--data-root");
        if (root == null) {
            String file = o.value("--config-file");
            String[] args = file == null ? new String[0] : new String[] {"--config-file", file};
            DaemonConfig cfg = ConfigLoader.load(args);
            try {
                return UsernsRemap.remappedRoot(cfg.dataRoot(), UsernsRemap.host().resolve(cfg.usernsRemap(), false))
                        .resolve("journal");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Path.of(root).resolve("journal");
    }

    /** A command line that does not parse. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    /** The parsed words of one subcommand: each option's values in order, and the other arguments. */
    static final class Options {
        private final Map<String, List<String>> values = new HashMap<>();
        private final List<String> arguments = new ArrayList<>();

        static Options parse(String[] args, Command command) {
            Set<String> valued = new HashSet<>(command.valued());
            valued.addAll(Set.of("--data-root", "--config-file"));
            Set<String> switches = new HashSet<>(command.switches());
            switches.add("--help");
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--")) {
                    o.arguments.addAll(Arrays.asList(args).subList(i + 1, args.length));
                    break;
                }
                if (!a.startsWith("-") || a.equals("-")) {
                    o.arguments.add(a);
                    continue;
                }
                String flag = a.equals("-h") ? "--help" : a;
                String value = null;
                int eq = flag.indexOf('=');
                if (flag.startsWith("--") && eq > 0) {
                    value = flag.substring(eq + 1);
                    flag = flag.substring(0, eq);
                }
                if (valued.contains(flag)) {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException("flag needs an argument: " + flag);
                        }
                        value = args[++i];
                    }
                } else if (switches.contains(flag)) {
                    if (value != null) {
                        throw new UsageException("flag takes no value: " + a);
                    }
                    value = "true";
                } else {
                    throw new UsageException("unknown flag: " + a);
                }
                o.values.computeIfAbsent(flag, k -> new ArrayList<>()).add(value);
            }
            return o;
        }

        boolean has(String flag) {
            return values.containsKey(flag);
        }

        /** The last value given for {@code flag}, or null. */
        String value(String flag) {
            List<String> v = values.get(flag);
            return v == null ? null : v.get(v.size() - 1);
        }

        List<String> all(String flag) {
            return values.getOrDefault(flag, List.of());
        }

        List<String> arguments() {
            return arguments;
        }
    }
}
