package io.berth.daemon;

/** Berth's own version, and the Docker engine version it reports to clients. */
public final class BerthVersion {
    public static final String VERSION = "0.1.0";

    private BerthVersion() {}
}
