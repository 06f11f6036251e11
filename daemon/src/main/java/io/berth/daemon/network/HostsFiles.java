package io.berth.daemon.network;

import io.berth.daemon.container.ContainerPaths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generated /etc/hosts and /etc/resolv.conf of containers with a network namespace of their
 * own. A running container's hosts file is bind-mounted, so updates are written in place (a rename
 * would leave the container the old file).
 */
public final class HostsFiles {

    private static final Logger LOG = LoggerFactory.getLogger(HostsFiles.class);

    /** The lines every such hosts file starts with, as Docker writes them. */
    public static final String BASE = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
            + "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";

    private final ContainerPaths paths;

    public HostsFiles(ContainerPaths paths) {
        this.paths = paths;
    }

    /** Overwrites the container's hosts file in place; a container without one is skipped. */
    public void rewrite(String containerId, String content) {
        Path p = paths.hosts(containerId);
        if (!Files.exists(p)) {
            return;
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
        } catch (IOException e) {
            LOG.warn("updating the hosts file of {}: {}", containerId, e.getMessage());
        }
    }

    /**
     * The resolv.conf of a container on a bridge: the host's, without loopback name servers (they
     * do not answer from the container's namespace), falling back to Docker's public ones.
     */
    public static String resolvConf(String host) {
        List<String> out = new ArrayList<>();
        boolean nameserver = false;
        for (String line : host.split("\n", -1)) {
            String t = line.trim();
            if (t.startsWith("nameserver")) {
                String[] f = t.split("\\s+");
                if (f.length > 1 && (f[1].startsWith("127.") || f[1].equals("::1"))) {
                    continue;
                }
                nameserver = true;
            }
            out.add(line);
        }
        String text = String.join("\n", out).strip();
        if (!nameserver) {
            text = (text.isEmpty() ? "" : text + "\n") + "nameserver 8.8.8.8\nnameserver 8.8.4.4";
        }
        return text + "\n";
    }
}
