package io.berth.daemon.api;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Locale;

/**
 * Lets Docker's hijacked requests through Vert.x: Docker upgrades {@code POST} requests
 * ({@code /containers/{id}/attach}, {@code /exec/{id}/start}) to a raw stream, while Vert.x hands a
 * connection over only for {@code GET} upgrades. This handler sits after the HTTP decoder and
 * presents such a request as a {@code GET}, keeping the real method in {@link #METHOD_HEADER} for the
 * router.
 *
 * <p>Connections allow half-closure because a hijacked client closes its writing side when its
 * stdin ends and keeps reading. Any other client that ends its side has gone, as Netty would
 * conclude without half-closure: this handler closes such a connection, so that long responses
 * ({@code /events}, {@code logs -f}) notice a client that left while they had nothing to write.
 */
final class PostUpgrade extends ChannelInboundHandlerAdapter {

    /** Carries the method the client really sent. */
    static final String METHOD_HEADER = "X-Berth-Method";

    /** Whether the connection's last request asked to be hijacked. */
    private boolean hijacking;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest r) {
            hijacking = isTcpUpgrade(r);
            if (hijacking && r.method() == HttpMethod.POST) {
                r.headers().set(METHOD_HEADER, "POST");
                r.setMethod(HttpMethod.GET);
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && !hijacking) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private static boolean isTcpUpgrade(HttpRequest r) {
        String upgrade = r.headers().get(HttpHeaderNames.UPGRADE);
        String connection = r.headers().get(HttpHeaderNames.CONNECTION);
        return upgrade != null && upgrade.equalsIgnoreCase("tcp") && connection != null
                && connection.toLowerCase(Locale.ROOT).contains("upgrade");
    }
}
