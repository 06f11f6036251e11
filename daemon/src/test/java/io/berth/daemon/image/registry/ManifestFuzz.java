package io.berth.daemon.image.registry;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.berth.daemon.FuzzFindings;

/**
 * Fuzzes the parser of registry manifests and indexes, under each media type a registry may claim:
 * a manifest or a client error, never an internal one.
 */
class ManifestFuzz {

    private static final String[] TYPES = {Manifest.DOCKER_V2, Manifest.DOCKER_LIST, Manifest.OCI_MANIFEST,
            Manifest.OCI_INDEX, "", "application/json", "text/html"};

    @FuzzTest(maxDuration = "20s")
    void aManifestIsParsedOrRefused(FuzzedDataProvider data) {
        String type = data.pickValue(TYPES);
        byte[] body = data.consumeRemainingAsBytes();
        try {
            Manifest.parse(body, type);
        } catch (Throwable t) {
            FuzzFindings.requireClientError(t);
        }
    }
}
