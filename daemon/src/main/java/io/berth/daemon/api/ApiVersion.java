package io.berth.daemon.api;

import io.berth.errors.EngineException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Docker Engine API versions berthd serves, and the {@code /vX.Y} path prefix clients send.
 * Unversioned paths are served at the current version, as dockerd does.
 */
public final class ApiVersion {

    public static final String CURRENT = "1.45";
    public static final String MINIMUM = "1.24";

    private static final Pattern PREFIX = Pattern.compile("^/v(\\d+\\.\\d+)(/.*)$");

    /** A request path split into its version and the route path. */
    public record Split(String version, String path) {}

    private ApiVersion() {}

    /**
     * Splits {@code /v1.41/containers/json} into 1.41 and {@code /containers/json}.
     *
     * @throws EngineException INVALID_ARGUMENT with dockerd's message for versions out of range
     */
    public static Split split(String path) {
        Matcher m = PREFIX.matcher(path);
        if (!m.matches()) {
            return new Split(CURRENT, path);
        }
        String v = m.group(1);
        if (compare(v, MINIMUM) < 0) {
            throw EngineException.invalid("client version " + v + " is too old. Minimum supported API version is "
                    + MINIMUM + ", please upgrade your client to a newer version");
        }
        if (compare(v, CURRENT) > 0) {
            throw EngineException.invalid("client version " + v + " is too new. Maximum supported API version is "
                    + CURRENT);
        }
        return new Split(v, m.group(2));
    }

    /** Compares two {@code major.minor} versions numerically. */
    public static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        int c = Integer.compare(Integer.parseInt(x[0]), Integer.parseInt(y[0]));
        return c != 0 ? c : Integer.compare(Integer.parseInt(x[1]), Integer.parseInt(y[1]));
    }
}
