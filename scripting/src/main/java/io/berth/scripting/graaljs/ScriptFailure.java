package io.berth.scripting.graaljs;

/** Why a script run gave no decision, and where in the script if known (line and column from 1, else 0). */
final class ScriptFailure extends Exception {

    private static final int MAX_REASON = 300;

    private final int line;
    private final int column;

    ScriptFailure(String reason) {
        this(reason, 0, 0);
    }

    ScriptFailure(String reason, int line, int column) {
        super(reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON - 3) + "..." : reason, null, false, false);
        this.line = line;
        this.column = column;
    }

    /** The same failure with {@code prefix} before its reason. */
    ScriptFailure prefixed(String prefix) {
        return new ScriptFailure(prefix + getMessage(), line, column);
    }

    int line() {
        return line;
    }

    int column() {
        return column;
    }
}
