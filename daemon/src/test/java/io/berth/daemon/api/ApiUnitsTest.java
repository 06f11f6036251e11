package io.berth.daemon.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Version prefixes, error mapping, routes, filters and Docker's time wording. */
class ApiUnitsTest {

    @Test
    void versionPrefixes() {
        assertEquals(new ApiVersion.Split("1.41", "/containers/json"), ApiVersion.split("/v1.41/containers/json"));
        assertEquals(new ApiVersion.Split(ApiVersion.CURRENT, "/_ping"), ApiVersion.split("/_ping"));
        assertThrows(EngineException.class, () -> ApiVersion.split("/v1.2/version"));
        assertThrows(EngineException.class, () -> ApiVersion.split("/v2.0/version"));
        assertTrue(ApiVersion.compare("1.9", "1.10") < 0, "numeric, not lexical");
    }

    @Test
    void everyErrorKindHasOneStatus() {
        assertEquals(400, ErrorMapper.status(ErrorKind.INVALID_ARGUMENT));
        assertEquals(404, ErrorMapper.status(ErrorKind.NOT_FOUND));
        assertEquals(409, ErrorMapper.status(ErrorKind.CONFLICT));
        assertEquals(409, ErrorMapper.status(ErrorKind.ALREADY_EXISTS));
        assertEquals(304, ErrorMapper.status(ErrorKind.NOT_MODIFIED));
        assertEquals(500, ErrorMapper.status(ErrorKind.INTERNAL));
        for (ErrorKind k : ErrorKind.values()) {
            int s = ErrorMapper.status(k);
            assertTrue(s >= 300 && s < 600, k.name());
        }
        assertEquals(ErrorKind.INVALID_ARGUMENT, ErrorMapper.classify(new DecodeException("bad")).kind());
        assertEquals(ErrorKind.INTERNAL, ErrorMapper.classify(new IllegalStateException("x")).kind());
        assertEquals(ErrorKind.NOT_FOUND, ErrorMapper.classify(new CompletionException(
                EngineException.notFound("gone"))).kind());
    }

    @Test
    void routesMatchTemplatesAndTellMethodFromPath() {
        Routes r = new Routes();
        Routes.Handler h = req -> { };
        r.get("/containers/{id}/json", h).delete("/images/{name:.+}", h).get("/images/{name:.+}/json", h);
        boolean[] known = {false};
        Routes.Match m = r.match(HttpMethod.GET, "/containers/abc/json", known);
        assertEquals(Map.of("id", "abc"), m.params());
        assertEquals("/containers/{id}/json", m.template());
        Routes.Match image = r.match(HttpMethod.GET, "/images/localhost:5000/a/b:1/json", known);
        assertEquals(Map.of("name", "localhost:5000/a/b:1"), image.params());
        assertEquals("/images/{name}/json", image.template(), "metrics name the route without its pattern");
        boolean[] k2 = {false};
        assertEquals(null, r.match(HttpMethod.POST, "/containers/abc/json", k2));
        assertTrue(k2[0], "a 405, not a 404");
        boolean[] k3 = {false};
        assertEquals(null, r.match(HttpMethod.GET, "/nothing", k3));
        assertFalse(k3[0]);
    }

    @Test
    void filtersInBothForms() {
        Filters a = Filters.parse("{\"status\":{\"exited\":true},\"label\":{\"a=b\":true}}", Set.of("status", "label"));
        Filters b = Filters.parse("{\"status\":[\"exited\"],\"label\":[\"a=b\"]}", Set.of("status", "label"));
        assertEquals(a.get("status"), b.get("status"));
        assertTrue(a.labels(Map.of("a", "b")));
        assertFalse(a.labels(Map.of("a", "c")));
        assertTrue(a.any("status", "exited"::equals));
        assertTrue(a.any("name", v -> false), "an absent filter matches everything");
        EngineException e = assertThrows(EngineException.class, () -> Filters.parse("{\"colour\":[\"red\"]}", Set.of("status")));
        assertEquals("invalid filter 'colour'", e.getMessage());
        assertThrows(EngineException.class, () -> Filters.parse("{nope", Set.of()));
    }

    @Test
    void humanDurationsAsDocker() {
        long s = 1_000_000_000L;
        assertEquals("Less than a second", ContainerJson.humanDuration(0));
        assertEquals("1 second", ContainerJson.humanDuration(s));
        assertEquals("45 seconds", ContainerJson.humanDuration(45 * s));
        assertEquals("About a minute", ContainerJson.humanDuration(90 * s));
        assertEquals("5 minutes", ContainerJson.humanDuration(300 * s));
        assertEquals("About an hour", ContainerJson.humanDuration(3600 * s));
        assertEquals("3 hours", ContainerJson.humanDuration(3 * 3600 * s));
        assertEquals("3 days", ContainerJson.humanDuration(72 * 3600 * s));
    }

    @Test
    void timesAreRfc3339WithNanoseconds() {
        assertEquals("0001-01-01T00:00:00Z", Json.time(0));
        assertEquals("2023-11-14T22:13:20.000000123Z", Json.time(1_700_000_000_000_000_123L));
    }
}
