package io.berth.daemon.events;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One event of Docker's {@code /events} stream, before it is encoded: what happened ({@code type},
 * {@code action}) to which object ({@code actorId} and its {@code attributes}), when, and the journal
 * entry it comes from. Each journal entry gives at most one Docker event, so {@code seq} and
 * {@code timeNanos} identify it.
 *
 * @param type       {@code container}, {@code image} or {@code daemon}
 * @param action     Docker's action word ({@code create}, {@code die}, {@code exec_start: sh -c x}, ...)
 * @param actorId    the container id, image id (or reference for pulls and pushes), or daemon id
 * @param attributes sorted, as Docker's encoder writes a map
 * @param timeNanos  the journal time of the entry
 * @param seq        the journal sequence of the entry
 */
public record DockerEvent(String type, String action, String actorId, SortedMap<String, String> attributes,
                          long timeNanos, long seq) {

    public static final String CONTAINER = "container";
    public static final String IMAGE = "image";
    public static final String DAEMON = "daemon";
    public static final String NETWORK = "network";
    public static final String VOLUME = "volume";

    /** Takes over {@code attributes}: the caller must not change the map afterwards (see {@link #of}). */
    public DockerEvent {
        attributes = Collections.unmodifiableSortedMap(attributes);
    }

    /** An attribute, or null. */
    public String attribute(String name) {
        return attributes.get(name);
    }

    /** Convenience for tests and callers holding a plain map. */
    public static DockerEvent of(String type, String action, String actorId, Map<String, String> attributes,
                                 long timeNanos, long seq) {
        return new DockerEvent(type, action, actorId, new TreeMap<>(attributes), timeNanos, seq);
    }
}
