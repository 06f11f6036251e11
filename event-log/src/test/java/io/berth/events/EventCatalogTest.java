package io.berth.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.events.codec.BinaryCodec;
import io.berth.events.codec.Upcasters;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EventCatalogTest {

    @Test
    void everyEventFamilyAndRecordIsCatalogued() {
        Set<Class<?>> catalogued = EventCatalog.entries().stream().map(EventCatalog.Entry::type)
                .collect(Collectors.toSet());
        Set<Class<?>> samples = Fixtures.oneOfEach().stream().map(Object::getClass).collect(Collectors.toSet());
        assertEquals(catalogued, samples, "Fixtures.oneOfEach must hold one of every event type");
        assertTrue(catalogued.size() >= 30, "lifecycle, exec, image, daemon and policy events");
    }

    @Test
    void wireNamesAreLogicalAndVersionedNotClassNames() {
        Set<String> names = new HashSet<>();
        for (EventCatalog.Entry e : EventCatalog.entries()) {
            assertTrue(e.wireName().matches("[a-z]+(\\.[a-z-]+)+\\.v\\d+"), e.wireName());
            assertTrue(names.add(e.name()), "duplicate " + e.name());
        }
        assertEquals("container.started.v2", EventCatalog.of(ContainerEvent.Started.class).wireName());
        assertEquals("container.paused.v1", EventCatalog.of(ContainerEvent.Paused.class).wireName());
        assertEquals("container.exited.v2", EventCatalog.of(ContainerEvent.Exited.class).wireName());
    }

    /**
     * The layout of every current event version, compared with a checked-in golden file. If this
     * fails, an event record changed: bump its version and add an upcaster from the old shape (the
     * golden line), then update the file (run with -Dberth.updateSchemas=true).
     */
    @Test
    void schemasMatchTheGoldenFile() throws IOException {
        String actual = EventCatalog.entries().stream()
                .map(e -> e.wireName() + " " + BinaryCodec.shapeOf(recordType(e)).describe())
                .sorted()
                .collect(Collectors.joining("\n", "", "\n"));
        if (Boolean.getBoolean("berth.updateSchemas")) {
            Files.writeString(Path.of("src/test/resources/event-schemas.txt"), actual);
        }
        String golden;
        try (InputStream in = getClass().getResourceAsStream("/event-schemas.txt")) {
            assertNotNull(in, "event-schemas.txt is missing");
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(golden, actual);
    }

    @Test
    void everyOlderVersionHasACompleteUpcasterChain() {
        for (EventCatalog.Entry e : EventCatalog.entries()) {
            for (int v = 1; v < e.version(); v++) {
                assertNotNull(Upcasters.from(e.name(), v), "missing upcaster from " + e.name() + ".v" + v);
            }
        }
        for (var u : Upcasters.all()) {
            EventCatalog.Entry current = EventCatalog.byName(u.name());
            assertNotNull(current, "upcaster for unknown event " + u.name());
            assertTrue(u.fromVersion() < current.version(), "upcaster from a version not older: " + u.name());
        }
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends Record> recordType(EventCatalog.Entry e) {
        return (Class<? extends Record>) (Class<?>) e.type();
    }

    static List<Event> samples() {
        return Fixtures.oneOfEach();
    }
}
