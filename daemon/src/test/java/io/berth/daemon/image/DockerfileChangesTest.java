package io.berth.daemon.image;

import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code docker import --change} instructions turned into an image config's {@code config} object. */
class DockerfileChangesTest {

    private static JsonObject apply(String... changes) {
        return DockerfileChanges.apply(List.of(changes));
    }

    @Test
    void noChangesGiveAnEmptyConfig() {
        assertEquals(new JsonObject(), apply());
    }

    @Test
    void cmdInJsonAndShellForm() {
        assertEquals(new JsonArray().add("sh"), apply("CMD [\"sh\"]").getJsonArray("Cmd"));
        assertEquals(new JsonArray().add("/bin/sh").add("-c").add("sh -c x"), apply("CMD sh -c x").getJsonArray("Cmd"));
        // Not valid JSON: Docker falls back to the shell form, and so do we.
        assertEquals(new JsonArray().add("/bin/sh").add("-c").add("[sh"), apply("CMD [sh").getJsonArray("Cmd"));
        assertEquals(new JsonArray(), apply("CMD []").getJsonArray("Cmd"));
        assertEquals(new JsonArray().add("top"), apply("cmd [\"top\"]").getJsonArray("Cmd"), "keywords are case-insensitive");
    }

    @Test
    void entrypointDropsAnInheritedCmdButKeepsOneSetAlongside() {
        JsonObject alone = apply("ENTRYPOINT [\"/bin/app\"]");
        assertEquals(new JsonArray().add("/bin/app"), alone.getJsonArray("Entrypoint"));
        assertFalse(alone.containsKey("Cmd"));
        JsonObject both = apply("CMD [\"--help\"]", "ENTRYPOINT /bin/app -v");
        assertEquals(new JsonArray().add("--help"), both.getJsonArray("Cmd"));
        assertEquals(new JsonArray().add("/bin/sh").add("-c").add("/bin/app -v"), both.getJsonArray("Entrypoint"));
    }

    @Test
    void envAndLabelPairs() {
        JsonObject c = apply("ENV A=1 B=\"two words\" C=", "ENV D 3 4", "ENV A=5",
                "LABEL maintainer=me \"com.example.x\"='y z'", "LABEL legacy form value");
        assertEquals(new JsonArray().add("A=5").add("B=two words").add("C=").add("D=3 4"), c.getJsonArray("Env"));
        assertEquals(new JsonObject().put("maintainer", "me").put("com.example.x", "y z").put("legacy", "form value"),
                c.getJsonObject("Labels"));
    }

    @Test
    void workdirIsRelativeToThePreviousOne() {
        assertEquals("/app/sub", apply("WORKDIR /app", "WORKDIR sub").getString("WorkingDir"));
        assertEquals("/x", apply("WORKDIR /app", "WORKDIR ../x").getString("WorkingDir"));
        assertEquals("/rel", apply("WORKDIR rel").getString("WorkingDir"));
        assertEquals("/my dir", apply("WORKDIR \"/my dir\"").getString("WorkingDir"));
    }

    @Test
    void userExposeAndStopSignal() {
        JsonObject c = apply("USER app:staff", "EXPOSE 80 53/udp 8000-8001/TCP", "EXPOSE 80/tcp", "STOPSIGNAL SIGQUIT");
        assertEquals("app:staff", c.getString("User"));
        assertEquals(List.of("80/tcp", "53/udp", "8000/tcp", "8001/tcp"), List.copyOf(c.getJsonObject("ExposedPorts").fieldNames()));
        assertEquals(new JsonObject(), c.getJsonObject("ExposedPorts").getJsonObject("80/tcp"));
        assertEquals("SIGQUIT", c.getString("StopSignal"));
    }

    @Test
    void keysFollowDockersFieldOrder() {
        JsonObject c = apply("STOPSIGNAL 9", "LABEL a=b", "ENTRYPOINT [\"e\"]", "WORKDIR /w", "CMD [\"c\"]", "ENV E=1",
                "EXPOSE 1", "USER u");
        assertEquals(List.of("User", "ExposedPorts", "Env", "Cmd", "WorkingDir", "Entrypoint", "Labels", "StopSignal"),
                List.copyOf(c.fieldNames()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"RUN rm -rf /", "CMD", "  ", "ENV =x", "ENV A", "EXPOSE 70000", "EXPOSE 0", "EXPOSE http",
            "EXPOSE 90-80", "EXPOSE 80/icmp", "LABEL a=\"unterminated", "STOPSIGNAL SIG TERM", "VOLUME /data"})
    void rejectsWhatDockerWouldNot(String change) {
        EngineException e = assertThrows(EngineException.class, () -> apply(change));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().startsWith("invalid --change \"" + change + "\""), e.getMessage());
    }

    @Test
    void unsupportedInstructionsAreNamed() {
        EngineException e = assertThrows(EngineException.class, () -> apply("RUN true"));
        assertTrue(e.getMessage().contains("unsupported instruction RUN"), e.getMessage());
    }
}
