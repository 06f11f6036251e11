package io.berth.daemon.runtime.runc;

import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns runc's stderr into {@link EngineException}s. runc has no error codes, only logrus lines
 * ({@code time=… level=error msg="…"}), so this is the one place that reads its messages (runc
 * 1.1.5 wording, seen on this machine).
 */
final class RuncErrors {
    private static final Pattern MSG = Pattern.compile("msg=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final List<String> CONFLICTS = List.of("container not running", "container not paused",
            "that is not stopped", "cannot start an already running container", "cannot start a container that has stopped",
            "cannot start a container in the paused state", "cannot exec in a paused container",
            "cannot exec in a stopped container");

    private RuncErrors() {}

    /** The failure of {@code runc <verb>}, as Docker words it ("OCI runtime start failed: …"). */
    static EngineException failure(String verb, String stderr) {
        String message = message(stderr);
        return new EngineException(kind(message), "OCI runtime " + verb + " failed: " + message);
    }

    /**
     * The failure of a create or exec: a command that cannot be run is the caller's mistake (Docker
     * answers 400 for it and reports exit code 127 or 126), anything else is the engine's.
     */
    static EngineException startFailure(String verb, String stderr) {
        String message = message(stderr);
        ErrorKind kind = isBadCommand(message) ? ErrorKind.INVALID_ARGUMENT
                : verb.equals("exec") ? kind(message) : ErrorKind.INTERNAL;
        return new EngineException(kind, "OCI runtime " + verb + " failed: " + message);
    }

    static ErrorKind kind(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        if (m.contains("container does not exist")) {
            return ErrorKind.NOT_FOUND;
        }
        if (m.contains("already exists")) {
            return ErrorKind.ALREADY_EXISTS;
        }
        if (CONFLICTS.stream().anyMatch(m::contains)) {
            return ErrorKind.CONFLICT;
        }
        return isBadCommand(message) ? ErrorKind.INVALID_ARGUMENT : ErrorKind.INTERNAL;
    }

    /** runc's "exec: \"x\": executable file not found in $PATH" and its stat/permission variants. */
    static boolean isBadCommand(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("exec: ") && (m.contains("executable file not found") || m.contains("no such file or directory")
                || m.contains("permission denied") || m.contains("not a directory"));
    }

    /** The {@code msg} values of runc's log lines, unquoted and joined; the raw text if there are none. */
    static String message(String stderr) {
        List<String> messages = new ArrayList<>();
        Matcher m = MSG.matcher(stderr);
        while (m.find()) {
            messages.add(unquote(m.group(1)));
        }
        return messages.isEmpty() ? stderr.strip() : String.join("; ", messages);
    }

    private static String unquote(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char e = s.charAt(++i);
                out.append(switch (e) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    default -> e;
                });
            } else {
                out.append(c);
            }
        }
        return out.toString().strip();
    }
}
