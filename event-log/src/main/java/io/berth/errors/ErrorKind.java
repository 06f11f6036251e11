package io.berth.errors;

/**
 * The closed set of error classes every Berth component raises, after containerd's errdefs.
 *
 * <p>Code classifies a failure once, where it knows what went wrong; only the API layer's error
 * mapper turns a kind into an HTTP status. Nothing downstream inspects messages.
 */
public enum ErrorKind {
    /** The request is malformed or a parameter is out of range. */
    INVALID_ARGUMENT,
    /** The named object does not exist. */
    NOT_FOUND,
    /** The object already exists (a name in use, a duplicate id). */
    ALREADY_EXISTS,
    /** The operation is illegal in the object's current state. */
    CONFLICT,
    /** A precondition outside the object's state does not hold. */
    FAILED_PRECONDITION,
    /** The caller's credentials are missing or were refused (by the engine or a registry it talks to). */
    UNAUTHENTICATED,
    /** The caller may not do this. */
    PERMISSION_DENIED,
    /** The engine or one of its parts cannot serve the request right now. */
    UNAVAILABLE,
    /** The operation did not finish in time. */
    DEADLINE_EXCEEDED,
    /** The engine does not support the operation. */
    NOT_IMPLEMENTED,
    /** The state did not change because it already was as asked (HTTP 304 in Docker). */
    NOT_MODIFIED,
    /** Stored data is damaged or unreadable. */
    DATA_LOSS,
    /** A bug or an unexpected failure of an underlying part. */
    INTERNAL
}
