package io.berth.daemon.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/** What the host's network holds, for the teardown assertions: veths, address allocations, NAT rules. */
final class NetHost {

    private NetHost() {}

    /** The names of the host's veth interfaces. */
    static TreeSet<String> veths() throws IOException, InterruptedException {
        TreeSet<String> out = new TreeSet<>();
        for (String line : run("ip", "-o", "link", "show", "type", "veth").split("\n")) {
            String[] f = line.split(":\\s+");
            if (f.length > 1) {
                out.add(f[1].split("@")[0]);
            }
        }
        return out;
    }

    /** host-local's allocations under the daemon's data root: one file per allocated address. */
    static List<String> allocations(BerthProcess b) throws IOException {
        Path dir = b.dataRoot().resolve("network").resolve("ipam");
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("lock") && !n.startsWith("last_reserved_ip")).forEach(out::add);
        }
        return out;
    }

    /** The iptables rules (all tables) that name {@code containerId}, as the CNI plugins comment them. */
    static List<String> rulesFor(String containerId) throws IOException, InterruptedException {
        List<String> out = new ArrayList<>();
        for (String line : run("iptables-save").split("\n")) {
            if (line.contains(containerId)) {
                out.add(line);
            }
        }
        return out;
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
