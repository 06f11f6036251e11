package io.berth.exporters;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MetricsServerTest {

    @Test
    void openMetricsOnlyWhenTheScraperAcceptsIt() {
        assertEquals(MetricsServer.OPENMETRICS, MetricsServer.contentType(
                "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                        + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
        assertEquals(MetricsServer.TEXT, MetricsServer.contentType("*/*"));
        assertEquals(MetricsServer.TEXT, MetricsServer.contentType(null));
    }
}
