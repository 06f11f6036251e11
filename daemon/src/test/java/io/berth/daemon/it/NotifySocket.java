package io.berth.daemon.it;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A systemd notification socket for tests: an {@code AF_UNIX} datagram socket bound at a path, or at
 * an abstract name ({@code @name}), as {@code NOTIFY_SOCKET} gives it. Netty's epoll datagram
 * channel, so the receiving side does not share code with berthd's sender.
 */
public final class NotifySocket implements AutoCloseable {

    private final String address;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final Channel channel;

    /** Binds at {@code address}: an absolute path, or {@code @name} for the abstract namespace. */
    public NotifySocket(String address) throws InterruptedException {
        this.address = address;
        String bindName = address.startsWith("@") ? "\0" + address.substring(1) : address;
        try {
            channel = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                    .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket p) {
                            messages.add(p.content().toString(StandardCharsets.UTF_8));
                        }
                    })
                    .bind(new DomainSocketAddress(bindName)).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** What to put in {@code NOTIFY_SOCKET}. */
    public String address() {
        return address;
    }

    /** Waits for a message with the line {@code line} (such as {@code READY=1}); returns the message. */
    public String await(String line, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String m : seen) {
            if (m.lines().anyMatch(line::equals)) {
                return m;
            }
        }
        while (true) {
            String m = messages.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (m == null) {
                throw new AssertionError("no " + line + " at " + address + " within " + timeout + "; received " + seen);
            }
            seen.add(m);
            if (m.lines().anyMatch(line::equals)) {
                return m;
            }
        }
    }

    @Override
    public void close() throws Exception {
        channel.close().sync();
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        if (!address.startsWith("@")) {
            Files.deleteIfExists(Path.of(address));
        }
    }
}
