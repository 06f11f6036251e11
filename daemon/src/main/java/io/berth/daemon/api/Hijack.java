package io.berth.daemon.api;

import io.vertx.core.Future;
import io.vertx.core.internal.net.StreamChannelInternal;
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

    /**
     * Calls {@code action} when the client closes its writing side (the end of its stdin) while it
     * keeps reading. Vert.x reports a half-closed input only as a channel event, on its internal API.
     */
    public static void onHalfClose(NetSocket socket, Runnable action) {
        if (socket instanceof StreamChannelInternal channel) {
            channel.eventHandler(evt -> {
                if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
                    action.run();
                }
            });
        }
    }
}
