package io.berth.daemon.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Raw HTTP/1.1 requests on the daemon's socket, for what the CLI would never send: malformed bodies,
 * wrong types, odd versions.
 */
final class Api {

    /** Status and body of a response. */
    record Response(int status, String headers, String body) {}

    private final BerthProcess daemon;

    Api(BerthProcess daemon) {
        this.daemon = daemon;
    }

    Response get(String path) throws IOException {
        return send("GET", path, null);
    }

    Response post(String path, String json) throws IOException {
        return send("POST", path, json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    Response send(String method, String path, byte[] body) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(daemon.socket()));
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: berth\r\nConnection: close\r\n");
            if (body != null) {
                head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            ch.write(ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.US_ASCII)));
            if (body != null) {
                ByteBuffer b = ByteBuffer.wrap(body);
                while (b.hasRemaining()) {
                    try {
                        ch.write(b);
                    } catch (IOException e) {
                        break; // the server may answer and close before reading an oversized body
                    }
                }
            }
            ByteBuffer buf = ByteBuffer.allocate(65536);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            try {
                while (ch.read(buf) > 0) {
                    all.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
            } catch (IOException e) {
                // connection reset after the response: what was read is the answer
            }
            String text = all.toString(StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            String headers = split < 0 ? text : text.substring(0, split);
            String rest = split < 0 ? "" : text.substring(split + 4);
            int status = Integer.parseInt(headers.substring(9, 12));
            if (headers.toLowerCase().contains("transfer-encoding: chunked")) {
                rest = dechunk(rest);
            }
            return new Response(status, headers, rest);
        }
    }

    private static String dechunk(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            int nl = s.indexOf("\r\n", i);
            if (nl < 0) {
                break;
            }
            int size = Integer.parseInt(s.substring(i, nl).trim(), 16);
            if (size == 0) {
                break;
            }
            out.append(s, nl + 2, nl + 2 + size);
            i = nl + 2 + size + 2;
        }
        return out.toString();
    }
}
