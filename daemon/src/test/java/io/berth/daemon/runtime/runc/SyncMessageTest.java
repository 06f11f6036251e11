package io.berth.daemon.runtime.runc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SyncMessageTest {

    @Test
    void pid() {
        assertEquals(new SyncMessage(31314, null), SyncMessage.parse("{\"data\": 31314}"));
    }

    @Test
    void errorWithConmonsEscapes() {
        // As seen on this machine for a missing executable (RUNTIME.md §2).
        String line = "{\"data\": -1, \"message\": \"time=\\\"2026-11-23T06:53:00Z\\\" level=error msg=\\\"runc create failed: "
                + "unable to start container process: exec: \\\\\\\"/nonexistent\\\\\\\": stat /nonexistent: no such file or directory\\\"\\n\"}";
        SyncMessage m = SyncMessage.parse(line);
        assertEquals(-1, m.data());
        assertEquals("time=\"2026-11-23T06:53:00Z\" level=error msg=\"runc create failed: unable to start container process: "
                + "exec: \\\"/nonexistent\\\": stat /nonexistent: no such file or directory\"\n", m.message());
    }

    @Test
    void controlUnicodeAndRawBytes() {
        SyncMessage m = SyncMessage.parse("{\"data\": -3, \"message\": \"a\\tb\\u0001c\\/d é\"}");
        assertEquals(-3, m.data());
        assertEquals("a\tb\u0001c/d é", m.message());
    }

    @Test
    void unknownKeysAndSpacingAreTolerated() {
        assertEquals(new SyncMessage(0, null), SyncMessage.parse("  {\"pid\":\"x\",\"data\":0 , \"other\": 7 }"));
        assertNull(SyncMessage.parse("{\"data\": 5}").message());
    }

    @Test
    void malformedLinesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SyncMessage.parse("{\"pid\": 5}"));
        assertThrows(IllegalArgumentException.class, () -> SyncMessage.parse("{\"data\": 5"));
        assertThrows(IllegalArgumentException.class, () -> SyncMessage.parse("{\"data\": -1, \"message\": \"open"));
        assertThrows(IllegalArgumentException.class, () -> SyncMessage.parse(""));
    }
}
