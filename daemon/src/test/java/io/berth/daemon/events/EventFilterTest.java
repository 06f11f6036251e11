package io.berth.daemon.events;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Docker's event filter semantics: same key OR, different keys AND, and each key's matching rule. */
class EventFilterTest {

    private static final String ID = "95a2227d3c6da1b8336e19b1157911eaa01f9b678bd1a4bc985bf5006b017473";
    private static final String IMG = "sha256:3c37491660e4ca30c35e0a033c5a320c3b039becf94dbc4eb73dc94a24717970";

    private static final DockerEvent START = DockerEvent.of("container", "start", ID,
            Map.of("name", "web1", "image", "busybox", "tier", "front", "env", "prod"), 1, 1);
    private static final DockerEvent EXEC = DockerEvent.of("container", "exec_start: sh -c true", ID,
            Map.of("name", "web1", "image", "busybox", "execID", "x"), 2, 2);
    private static final DockerEvent TAG = DockerEvent.of("image", "tag", IMG, Map.of("name", "busybox:evtest"), 3, 3);
    private static final DockerEvent DAEMON = DockerEvent.of("daemon", "reload", "d-1", Map.of("name", "host1"), 4, 4);

    private static EventFilter filter(String... keyValues) {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        for (String kv : keyValues) {
            int eq = kv.indexOf('=');
            m.computeIfAbsent(kv.substring(0, eq), k -> new LinkedHashSet<>()).add(kv.substring(eq + 1));
        }
        return EventFilter.of(m);
    }

    @Test
    void noFilterTakesEverything() {
        assertTrue(EventFilter.ALL.matches(START));
        assertTrue(filter().matches(TAG));
    }

    @Test
    void sameKeyIsOrDifferentKeysAreAnd() {
        assertTrue(filter("event=start", "event=die").matches(START));
        assertFalse(filter("event=stop", "event=die").matches(START));
        assertTrue(filter("type=container", "event=start").matches(START));
        assertFalse(filter("type=image", "event=start").matches(START));
        assertTrue(filter("type=image", "type=container").matches(TAG));
    }

    @Test
    void execEventsMatchByPrefixOnlyWhenAskedWithoutTheCommand() {
        assertTrue(filter("event=exec_start").matches(EXEC));
        assertFalse(filter("event=exec_die").matches(EXEC));
        assertTrue(filter("event=exec_start: sh -c true").matches(EXEC));
        assertFalse(filter("event=start").matches(EXEC), "start is not a prefix match");
    }

    @Test
    void containerByIdOrNameExactlyOrByPrefixAndNothingElse() {
        assertTrue(filter("container=" + ID).matches(START));
        assertTrue(filter("container=95a2227d").matches(START));
        assertTrue(filter("container=web1").matches(START));
        assertTrue(filter("container=web").matches(START), "dockerd matches names by prefix too");
        assertFalse(filter("container=db").matches(START));
        assertFalse(filter("container=web1").matches(TAG), "a container filter leaves out other objects' events");
        assertFalse(filter("container=web1").matches(DAEMON));
        assertTrue(filter("container=db", "container=web1").matches(START));
    }

    @Test
    void imageByIdNameOrRepository() {
        assertTrue(filter("image=busybox").matches(START));
        assertTrue(filter("image=busybox").matches(TAG), "busybox:evtest without its tag");
        assertTrue(filter("image=busybox:evtest").matches(TAG));
        assertTrue(filter("image=" + IMG).matches(TAG));
        assertFalse(filter("image=alpine").matches(START));
        assertFalse(filter("image=busybox").matches(DAEMON));
    }

    @Test
    void labelsMustAllBeThere() {
        assertTrue(filter("label=tier").matches(START));
        assertTrue(filter("label=tier=front").matches(START));
        assertTrue(filter("label=tier=front", "label=env=prod").matches(START));
        assertFalse(filter("label=tier=front", "label=env=dev").matches(START), "labels are all required, as dockerd");
        assertFalse(filter("label=tier").matches(TAG));
    }

    @Test
    void daemonByIdOrName() {
        assertTrue(filter("daemon=d-1").matches(DAEMON));
        assertTrue(filter("daemon=host1").matches(DAEMON));
        assertFalse(filter("daemon=other").matches(DAEMON));
        assertFalse(filter("daemon=host1").matches(START));
        assertTrue(filter("scope=local").matches(START));
        assertFalse(filter("scope=swarm").matches(START));
    }
}
