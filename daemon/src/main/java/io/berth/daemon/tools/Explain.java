package io.berth.daemon.tools;

import io.berth.daemon.api.Json;
import io.berth.daemon.container.Signals;
import io.berth.events.ContainerEvent;
import io.berth.events.ContainerSpec;
import io.berth.events.DaemonEvent;
import io.berth.events.Event;
import io.berth.events.EventEnvelope;
import io.berth.events.ExecEvent;
import io.berth.events.PolicyEvent;
import io.berth.events.journal.internal.ChronicleFileReader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code berthd journal explain CONTAINER}: one container's whole history in plain words, one line
 * per journal entry about it, with the daemon's starts and stops in between for context.
 *
 * <p>It folds what the sentences need (the run's start time, a pending stop request, the restart
 * policy, the memory limit) from the entries themselves rather than from the engine's state types,
 * so it explains any journal the codec can read.
 */
final class Explain implements JournalTool.Command {

    @Override
    public String usage() {
        return """
                Usage:  berthd journal explain [OPTIONS] CONTAINER

                Tell a container's whole history in plain words: created, started, OOM-killed, exited,
                restarted by its policy, stopped, renamed, removed, and its policies' decisions, one
                line per journal entry with its sequence and time, then its last known state.

                CONTAINER is a full id, a unique id prefix, or a name; a removed container is found by
                its id or by the last name it had.

                Options:
                """ + JournalTool.COMMON_OPTIONS;
    }

    @Override
    public int run(JournalTool.Options options, PrintStream out) {
        if (options.arguments().size() != 1) {
            throw new JournalTool.UsageException("explain takes exactly one container, got "
                    + (options.arguments().isEmpty() ? "none" : String.join(" ", options.arguments())));
        }
        Path dir = JournalTool.journalDir(options);
        ContainerRefs refs = new ContainerRefs();
        ChronicleFileReader.scan(dir, refs);
        ContainerRefs.Known known = refs.resolve(options.arguments().get(0));
        Story story = new Story(known.id);
        ChronicleFileReader.scan(dir, story);
        story.print(out);
        return JournalTool.OK;
    }

    /** One line of the story. */
    private record Line(long seq, long timeNanos, String text) {}

    /** The fold: reads every entry and writes a sentence for each one about the container. */
    static final class Story implements Consumer<EventEnvelope> {
        private final String id;
        private final List<Line> lines = new ArrayList<>();
        /** Daemon entries since the container's last line: shown once another line follows. */
        private final List<Line> daemonSince = new ArrayList<>();
        private final List<String> names = new ArrayList<>();
        private int entries;
        private long firstSeq;
        private long lastSeq;
        private boolean createdSeen;
        private String image;
        private ContainerSpec.RestartPolicy restartPolicy;
        private long memoryLimit;
        private long runStartNanos;
        private int pid;
        private boolean everStarted;
        private ContainerEvent.StopRequested stop;
        private PolicyEvent.Decided decision;
        private String state = "unknown";
        private int exitCode;

        Story(String id) {
            this.id = id;
        }

        @Override
        public void accept(EventEnvelope e) {
            Event ev = e.event();
            if (ev instanceof DaemonEvent d) {
                if (entries > 0) {
                    daemonSince.add(new Line(e.seq(), e.timeNanos(), "[daemon] " + daemon(d)));
                }
                return;
            }
            if (!id.equals(EventText.containerOf(ev))) {
                return;
            }
            String text = switch (ev) {
                case ContainerEvent c -> container(c, e);
                case ExecEvent x -> exec(x);
                case PolicyEvent p -> policy(p);
                default -> throw new IllegalStateException("not about a container: " + ev);
            };
            entries++;
            firstSeq = firstSeq == 0 ? e.seq() : firstSeq;
            lastSeq = e.seq();
            lines.addAll(daemonSince);
            daemonSince.clear();
            lines.add(new Line(e.seq(), e.timeNanos(), text));
        }

        private String container(ContainerEvent c, EventEnvelope e) {
            return switch (c) {
                case ContainerEvent.Created x -> {
                    createdSeen = true;
                    names.add(x.name());
                    image = x.spec().image();
                    restartPolicy = x.spec().restartPolicy();
                    memoryLimit = x.spec().resources().memory();
                    state = "created, never started";
                    List<String> notes = new ArrayList<>();
                    List<String> command = new ArrayList<>(x.spec().entrypoint());
                    command.addAll(x.spec().cmd());
                    if (!command.isEmpty()) {
                        notes.add("command " + words(command));
                    }
                    if (restarts()) {
                        notes.add("restart policy " + policyText(restartPolicy));
                    }
                    if (x.spec().autoRemove()) {
                        notes.add("removed when it exits");
                    }
                    yield "created from image " + image + " as /" + x.name()
                            + (notes.isEmpty() ? "" : " (" + String.join("; ", notes) + ")");
                }
                case ContainerEvent.Started x -> {
                    runStartNanos = x.startedAtNanos();
                    pid = x.pid();
                    everStarted = true;
                    stop = null;
                    decision = null;
                    state = "running (pid " + pid + ")";
                    yield "started (pid " + x.pid() + ")";
                }
                case ContainerEvent.Paused x -> {
                    state = "paused";
                    yield "paused";
                }
                case ContainerEvent.Unpaused x -> {
                    state = "running (pid " + pid + ")";
                    yield "unpaused";
                }
                case ContainerEvent.StopRequested x -> {
                    stop = x;
                    yield (x.daemonShutdown() ? "stopped by the daemon's shutdown (" : "stopped by the user (")
                            + Signals.name(x.signal()) + ", "
                            + (x.timeoutSeconds() < 0 ? "no timeout" : x.timeoutSeconds() + "s timeout") + ")";
                }
                case ContainerEvent.RestartCancelled x -> {
                    state = "exited with code " + exitCode;
                    yield "pending restart cancelled: " + x.reason();
                }
                case ContainerEvent.Killed x -> killed(x);
                case ContainerEvent.OomKilled x -> "OOM-killed"
                        + (memoryLimit > 0 ? " (memory limit " + Verify.size(memoryLimit).replace(" ", "") + ")" : "");
                case ContainerEvent.Exited x -> exited(x, e.timeNanos());
                case ContainerEvent.Restarting x -> {
                    String by = decision != null && "restart".equals(decision.action()) ? decision.policy()
                            : restartPolicy == null ? "unknown" : restartPolicy.name();
                    decision = null;
                    state = "restarting (attempt " + x.attempt() + ")";
                    yield "restarting by policy " + by + " (attempt " + x.attempt() + ", delay "
                            + duration(x.delayMillis() * 1_000_000L) + ")"
                            + (x.reason() == null || x.reason().isEmpty() ? "" : ": " + x.reason());
                }
                case ContainerEvent.Renamed x -> {
                    if (names.isEmpty()) {
                        names.add(x.oldName());
                    }
                    names.add(x.newName());
                    yield "renamed from /" + x.oldName() + " to /" + x.newName();
                }
                case ContainerEvent.Updated x -> {
                    restartPolicy = x.restartPolicy();
                    memoryLimit = x.resources().memory();
                    List<String> what = new ArrayList<>();
                    what.add("restart policy " + policyText(x.restartPolicy()));
                    what.addAll(resources(x.resources()));
                    yield "updated (" + String.join(", ", what) + ")";
                }
                case ContainerEvent.Removing x -> {
                    state = "being removed";
                    yield "removal started";
                }
                case ContainerEvent.Dead x -> {
                    state = "dead (its removal failed: " + x.reason() + ")";
                    yield "removal failed, the container is dead: " + x.reason();
                }
                case ContainerEvent.Removed x -> {
                    state = "removed";
                    yield "removed";
                }
                case ContainerEvent.Attached x -> "a client attached";
                case ContainerEvent.Resized x -> "TTY resized to " + x.height() + " rows by " + x.width() + " columns";
                case ContainerEvent.Stopped x -> {
                    stop = null;
                    yield "stop finished";
                }
                case ContainerEvent.Restarted x -> "restarted by the user";
            };
        }

        private String killed(ContainerEvent.Killed x) {
            String sig = Signals.name(x.signal());
            if (stop == null) {
                return "sent " + sig + " by the user (docker kill)";
            }
            if (x.signal() == 9 && stop.signal() != 9) {
                return "sent SIGKILL: still running " + stop.timeoutSeconds() + "s after the stop signal";
            }
            return "sent " + sig + " to stop it";
        }

        private String exited(ContainerEvent.Exited x, long journalNanos) {
            StringBuilder sb = new StringBuilder("exited with code " + x.exitCode());
            if (runStartNanos > 0) {
                sb.append(" after ").append(duration(Math.max(0, x.finishedAtNanos() - runStartNanos)));
            }
            List<String> notes = new ArrayList<>();
            if (x.exitCode() > 128 && x.exitCode() <= 128 + 64) {
                notes.add(Signals.name(x.exitCode() - 128));
            }
            if (stop != null) {
                notes.add(stop.daemonShutdown() ? "as the daemon's shutdown asked" : "as the user asked");
            }
            long late = journalNanos - x.finishedAtNanos();
            if (x.finishedAtNanos() > 0 && late >= 1_000_000_000L) {
                notes.add("at " + Json.time(x.finishedAtNanos()) + ", noticed " + duration(late) + " later");
            }
            if (!notes.isEmpty()) {
                sb.append(" (").append(String.join("; ", notes)).append(')');
            }
            state = "exited with code " + x.exitCode();
            exitCode = x.exitCode();
            runStartNanos = 0;
            return sb.toString();
        }

        private static String exec(ExecEvent x) {
            String short12 = x.execId().substring(0, Math.min(12, x.execId().length()));
            return switch (x) {
                case ExecEvent.Created c -> "exec " + short12 + " created: " + words(c.cmd())
                        + (c.user().isEmpty() ? "" : " as user " + c.user()) + (c.tty() ? " (with a TTY)" : "");
                case ExecEvent.Started s -> "exec " + short12 + " started (pid " + s.pid() + ")";
                case ExecEvent.Exited e -> "exec " + short12 + " exited with code " + e.exitCode();
            };
        }

        private String policy(PolicyEvent p) {
            return switch (p) {
                case PolicyEvent.Decided d -> {
                    decision = d;
                    String action = switch (d.action()) {
                        case "restart" -> "restart"
                                + (d.delayMillis() > 0 ? " after " + duration(d.delayMillis() * 1_000_000L) : "");
                        case "default" -> "to leave it to the restart policy";
                        default -> d.action();
                    };
                    yield "policy " + d.policy() + " decided " + action + " at " + d.hook()
                            + (d.inputs().isEmpty() ? "" : " (given " + d.inputs() + ")");
                }
                case PolicyEvent.Failed f -> "policy " + f.policy() + " failed at " + f.hook() + ": " + f.reason()
                        + "; the restart policy applied instead";
                case PolicyEvent.Rejected r -> "policy " + r.policy() + " rejected: " + r.reason();
            };
        }

        private static String daemon(DaemonEvent d) {
            return switch (d) {
                case DaemonEvent.Started s -> "berthd " + s.version() + " started (pid " + s.pid() + ")";
                case DaemonEvent.Stopping s -> "berthd stopping (" + s.reason() + ")";
                case DaemonEvent.Reloaded r -> "configuration reloaded: " + r.changes();
            };
        }

        private boolean restarts() {
            return restartPolicy != null && !restartPolicy.name().isEmpty() && !restartPolicy.name().equals("no");
        }

        private static String policyText(ContainerSpec.RestartPolicy p) {
            if (p == null || p.name().isEmpty()) {
                return "no";
            }
            return p.name() + (p.maximumRetryCount() > 0 ? ":" + p.maximumRetryCount() : "");
        }

        private static List<String> resources(ContainerSpec.Resources r) {
            List<String> out = new ArrayList<>();
            if (r.memory() > 0) {
                out.add("memory " + Verify.size(r.memory()).replace(" ", ""));
            }
            if (r.nanoCpus() > 0) {
                out.add(String.format(Locale.ROOT, "cpus %.2f", r.nanoCpus() / 1e9).replaceAll("\\.?0+$", ""));
            }
            if (r.cpuShares() > 0) {
                out.add("cpu shares " + r.cpuShares());
            }
            if (r.pidsLimit() > 0) {
                out.add("pids limit " + r.pidsLimit());
            }
            return out;
        }

        void print(PrintStream out) {
            out.println("container  " + id);
            if (names.isEmpty()) {
                out.println("name       (none in the journal)");
            } else {
                String current = "/" + names.get(names.size() - 1);
                List<String> earlier = names.subList(0, names.size() - 1).stream().map(n -> "/" + n).toList();
                out.println("name       " + current
                        + (earlier.isEmpty() ? "" : " (before: " + String.join(", ", earlier) + ")"));
            }
            if (image != null) {
                out.println("image      " + image);
            }
            out.println("entries    " + entries + (entries > 0 ? ", sequences " + firstSeq + " to " + lastSeq : ""));
            if (!createdSeen) {
                out.println("           its creation is older than the journal keeps");
            }
            int width = String.valueOf(lines.isEmpty() ? 0 : lines.get(lines.size() - 1).seq()).length();
            for (Line l : lines) {
                out.println(String.format("%" + width + "d  %s  %s", l.seq(), Json.time(l.timeNanos()), l.text()));
            }
            out.println("state      " + (everStarted && state.startsWith("created") ? "created" : state)
                    + " (as of the end of the journal)");
        }

        /** A command line as a shell would take it back: words with spaces or quotes are quoted. */
        private static String words(List<String> words) {
            List<String> out = new ArrayList<>();
            for (String w : words) {
                boolean plain = !w.isEmpty() && w.chars().noneMatch(ch -> ch <= ' ' || ch == '"' || ch == '\''
                        || ch == '\\' || ch == '$' || ch == '`');
                out.add(plain ? w : "'" + w.replace("'", "'\\''") + "'");
            }
            return String.join(" ", out);
        }
    }

    /** A duration as Go prints short ones: 200ms, 2.3s, 1m30s, 2h5m. */
    static String duration(long nanos) {
        long ms = nanos / 1_000_000L;
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms < 60_000) {
            String s = String.format(Locale.ROOT, "%.1f", ms / 1000.0);
            return (s.endsWith(".0") ? s.substring(0, s.length() - 2) : s) + "s";
        }
        long sec = ms / 1000;
        if (sec < 3600) {
            return sec / 60 + "m" + (sec % 60 == 0 ? "" : sec % 60 + "s");
        }
        return sec / 3600 + "h" + (sec % 3600 / 60 == 0 ? "" : sec % 3600 / 60 + "m");
    }
}
