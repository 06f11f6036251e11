package io.berth.daemon.api;

import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import io.vertx.core.json.DecodeException;
import java.util.concurrent.CompletionException;

/** The one place where errors become HTTP statuses and Docker's {@code {"message": ...}} bodies. */
public final class ErrorMapper {

    private ErrorMapper() {}

    public static int status(ErrorKind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT -> 400;
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS, CONFLICT -> 409;
            case FAILED_PRECONDITION -> 412;
            case UNAUTHENTICATED -> 401;
            case PERMISSION_DENIED -> 403;
            case UNAVAILABLE -> 503;
            case DEADLINE_EXCEEDED -> 504;
            case NOT_IMPLEMENTED -> 501;
            case NOT_MODIFIED -> 304;
            case DATA_LOSS, INTERNAL -> 500;
        };
    }

    /** Classifies any throwable: engine errors keep their kind, malformed JSON is bad input, the rest is internal. */
    public static EngineException classify(Throwable t) {
        Throwable c = t;
        while (c instanceof CompletionException && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof EngineException e) {
            return e;
        }
        if (c instanceof DecodeException || c instanceof ClassCastException) {
            return EngineException.invalid("invalid JSON: " + firstLine(c.getMessage()));
        }
        return EngineException.internal(c.getClass().getSimpleName() + ": " + c.getMessage(), c);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "malformed body";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
