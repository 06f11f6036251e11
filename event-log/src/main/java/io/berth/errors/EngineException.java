package io.berth.errors;

/**
 * A failure classified by its {@link ErrorKind}; the message is what a Docker client shows its user.
 */
public final class EngineException extends RuntimeException {
    private final ErrorKind kind;

    public EngineException(ErrorKind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public EngineException(ErrorKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public ErrorKind kind() {
        return kind;
    }

    public static EngineException invalid(String message) {
        return new EngineException(ErrorKind.INVALID_ARGUMENT, message);
    }

    public static EngineException notFound(String message) {
        return new EngineException(ErrorKind.NOT_FOUND, message);
    }

    public static EngineException conflict(String message) {
        return new EngineException(ErrorKind.CONFLICT, message);
    }

    public static EngineException internal(String message, Throwable cause) {
        return new EngineException(ErrorKind.INTERNAL, message, cause);
    }

    /** True when {@code t} is an engine error of the given kind. */
    public static boolean is(Throwable t, ErrorKind kind) {
        return t instanceof EngineException e && e.kind == kind;
    }
}
