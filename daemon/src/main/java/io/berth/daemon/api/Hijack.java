package io.berth.daemon.api;

import io.vertx.core.Future;
import io.vertx.core.net.NetSocket;

/**
 * Docker's connection hijacking for attach and exec: the client asks to upgrade to {@code tcp}, the
 * server answers 101 and from then on the connection carries raw (TTY) or multiplexed stdio.
 */
public final class Hijack {

    private Hijack() {}

    /** Answers the upgrade and hands over the connection. */
    public static Future<NetSocket> accept(ApiRequest r, boolean tty) {
        r.response().putHeader("Content-Type",
                tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream");
        String upgrade = r.http().getHeader("Upgrade");
        if (upgrade != null) {
            r.response().putHeader("Connection", "Upgrade").putHeader("Upgrade", upgrade);
        }
        return r.http().toNetSocket();
    }
}
