package io.berth.daemon.tools;

import io.berth.daemon.events.EventTimes;
import io.berth.errors.EngineException;
import io.berth.events.EventCatalog;
import io.berth.events.EventEnvelope;
import io.berth.events.journal.JournalConfig;
import io.berth.events.journal.internal.ChronicleFileReader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * {@code berthd journal dump}: prints entries in journal order, one per line, as text or JSON,
 * keeping those of the given containers, time window and event types.
 */
final class Dump implements JournalTool.Command {

    @Override
    public String usage() {
        return """
                Usage:  berthd journal dump [OPTIONS]

                Print the journal's entries in order, one per line:
                  SEQ TIME NAME.vVERSION FIELD=VALUE ...
                with times in RFC 3339 (UTC, nanoseconds), or with --json one JSON object per line with
                seq, time, timeNano, type (NAME.vVERSION), name, actor and event (the event's fields).

                Options:
                      --container string     Only entries about this container: a full id, a unique
                                             id prefix, or a name (a removed container by its id or
                                             last name); repeatable
                      --json                 Write JSON lines
                      --since string         Only entries after this time: RFC 3339, Unix seconds with
                                             an optional fraction, or a duration before now (10m)
                      --type string          Only entries of this type: a name (container.exited), a
                                             name with its version (container.exited.v2), or a family
                                             (container, exec, image, daemon, policy); repeatable
                      --until string         Only entries up to this time, in the same forms
                """ + JournalTool.COMMON_OPTIONS;
    }

    @Override
    public Set<String> valued() {
        return Set.of("--container", "--since", "--until", "--type");
    }

    @Override
    public Set<String> switches() {
        return Set.of("--json");
    }

    /** Ends a scan early: the output is gone, or the time window has passed. */
    private static final class Stop extends RuntimeException {
        Stop() {
            super(null, null, false, false);
        }
    }

    @Override
    public int run(JournalTool.Options options, PrintStream out) {
        if (!options.arguments().isEmpty()) {
            throw new JournalTool.UsageException("dump takes no arguments, got " + options.arguments());
        }
        long now = JournalConfig.SYSTEM_CLOCK.getAsLong();
        long since = time(options.value("--since"), "since", EventTimes.NO_SINCE, now);
        long until = time(options.value("--until"), "until", EventTimes.NO_UNTIL, now);
        Predicate<String> type = types(options.all("--type"));
        Path dir = JournalTool.journalDir(options);

        Set<String> containers = null;
        if (options.has("--container")) {
            ContainerRefs refs = new ContainerRefs();
            ChronicleFileReader.scan(dir, refs);
            containers = new HashSet<>();
            for (String ref : options.all("--container")) {
                containers.add(refs.resolve(ref).id);
            }
        }
        Set<String> only = containers;
        boolean json = options.has("--json");
        try {
            ChronicleFileReader.scan(dir, e -> {
                if (e.timeNanos() > until) {
                    // Journal times increase: nothing later can be in the window.
                    throw new Stop();
                }
                if (e.timeNanos() <= since || !type.test(EventCatalog.of(e.event().getClass()).wireName())
                        || (only != null && !only.contains(EventText.containerOf(e.event())))) {
                    return;
                }
                out.println(json ? EventText.json(e).encode() : EventText.line(e));
                if (out.checkError()) {
                    throw new Stop();
                }
            });
        } catch (Stop stop) {
            // A closed pipe (dump | head) or the end of the window: what was asked for is written.
        }
        return JournalTool.OK;
    }

    private static long time(String value, String name, long absent, long now) {
        try {
            return EventTimes.parse(value, name, absent, now, ZoneId.systemDefault());
        } catch (EngineException e) {
            throw new JournalTool.UsageException(e.getMessage());
        }
    }

    /** A test of a wire name ({@code container.exited.v2}) against the {@code --type} values. */
    static Predicate<String> types(List<String> values) {
        if (values.isEmpty()) {
            return t -> true;
        }
        Set<String> families = new TreeSet<>();
        for (EventCatalog.Entry e : EventCatalog.entries()) {
            families.add(e.name().substring(0, e.name().indexOf('.')));
        }
        Set<String> wanted = new HashSet<>();
        for (String v : values) {
            boolean known = families.contains(v) || EventCatalog.byName(v) != null
                    || EventCatalog.entries().stream().anyMatch(e -> e.wireName().equals(v));
            if (!known) {
                throw new JournalTool.UsageException("unknown event type \"" + v + "\": use a name such as"
                        + " container.exited, a name with its version such as container.exited.v2, or a family: "
                        + String.join(", ", families));
            }
            wanted.add(v);
        }
        return wire -> {
            String name = wire.substring(0, wire.lastIndexOf(".v"));
            String family = name.substring(0, name.indexOf('.'));
            return wanted.contains(wire) || wanted.contains(name) || wanted.contains(family);
        };
    }
}
