package io.berth.daemon;

import io.berth.daemon.api.ErrorMapper;
import io.berth.errors.EngineException;

/** What a fuzz target accepts as the outcome of bad input: an error the API answers with a 4xx. */
public final class FuzzFindings {

    private FuzzFindings() {}

    /** Rethrows {@code t} (a finding) unless the API would answer it with a client error. */
    public static void requireClientError(Throwable t) {
        EngineException e = ErrorMapper.classify(t);
        int status = ErrorMapper.status(e.kind());
        if (status < 400 || status >= 500) {
            throw new AssertionError("bad input led to HTTP " + status + ": " + t, t);
        }
    }
}
