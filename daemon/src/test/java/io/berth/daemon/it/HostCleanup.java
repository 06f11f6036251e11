package io.berth.daemon.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What a test daemon's containers may leave on the host if a test fails half-way, and its removal:
 * container processes and shims (found through the daemon's private runc root), overlay mounts under
 * its data root, the cgroups of its container ids, and the {@code berth} parent cgroups when this
 * JVM's daemons made them. Touches nothing of other engines.
 */
final class HostCleanup {

    /** The {@code berth} parent cgroups there were before this JVM started a daemon: not ours to remove. */
    private static List<Path> parentsBefore;

    private HostCleanup() {}

    static synchronized void beforeFirstDaemon() throws IOException {
        if (parentsBefore == null) {
            parentsBefore = cgroupsNamed("berth").stream().filter(Files::isDirectory).toList();
        }
    }

    static void afterDaemon(BerthProcess b) throws IOException, InterruptedException {
        Path runcRoot = b.execRoot().resolve("runc");
        List<String> ids = new ArrayList<>();
        if (Files.isDirectory(runcRoot)) {
            try (Stream<Path> s = Files.list(runcRoot)) {
                s.forEach(p -> ids.add(p.getFileName().toString()));
            }
        }
        Path containers = b.dataRoot().resolve("containers");
        if (Files.isDirectory(containers)) {
            try (Stream<Path> s = Files.list(containers)) {
                s.forEach(p -> {
                    if (!ids.contains(p.getFileName().toString())) {
                        ids.add(p.getFileName().toString());
                    }
                });
            }
        }
        // A container removed through the API while its endpoint leaked is known by what it left:
        // its namespace file, and host-local's allocation files, whose first line is the container id.
        Path netns = b.execRoot().resolve("netns");
        if (Files.isDirectory(netns)) {
            try (Stream<Path> s = Files.list(netns)) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9a-f]{64}"))
                        .filter(n -> !ids.contains(n)).forEach(ids::add);
            }
        }
        Path ipam = b.dataRoot().resolve("network").resolve("ipam");
        if (Files.isDirectory(ipam)) {
            try (Stream<Path> s = Files.walk(ipam)) {
                for (Path p : s.filter(Files::isRegularFile).toList()) {
                    String first = Files.readString(p).lines().findFirst().orElse("").trim();
                    if (first.matches("[0-9a-f]{64}") && !ids.contains(first)) {
                        ids.add(first);
                    }
                }
            }
        }
        for (String id : ids) {
            run("runc", "--root", runcRoot.toString(), "delete", "--force", id);
        }
        killShims(b.execRoot());
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && f[4].startsWith(b.root().toString())) {
                run("umount", "-l", f[4]);
            }
        }
        for (String id : ids) {
            removeCgroups(id);
        }
        removeEmptyParents();
        removeCniRules(ids);
        run("rm", "-rf", b.root().toString());
    }

    /**
     * The iptables rules the CNI plugins wrote for these container ids, found by the id in their
     * comment, and the per-container chains they jump to: what a daemon killed by its test could not
     * tear down.
     */
    private static void removeCniRules(List<String> ids) throws IOException, InterruptedException {
        if (ids.isEmpty()) {
            return;
        }
        for (String table : List.of("nat", "filter")) {
            Process p = new ProcessBuilder("iptables", "-t", table, "-S").redirectErrorStream(true).start();
            List<String> rules = new String(p.getInputStream().readAllBytes()).lines().toList();
            p.waitFor(30, TimeUnit.SECONDS);
            Set<String> chains = new LinkedHashSet<>();
            for (String rule : rules) {
                if (rule.startsWith("-A ") && ids.stream().anyMatch(id -> rule.contains("id: \\\"" + id + "\\\""))) {
                    // iptables -S quotes its output for a shell: the rule is deleted as written.
                    run("sh", "-c", "iptables -t " + table + " -D " + rule.substring(3));
                    int jump = rule.indexOf(" -j CNI-");
                    if (jump >= 0) {
                        chains.add(rule.substring(jump + 4).split(" ")[0]);
                    }
                }
            }
            for (String chain : chains) {
                run("iptables", "-t", table, "-F", chain);
                run("iptables", "-t", table, "-X", chain);
            }
        }
    }

    /** conmon processes whose command line names this daemon's exec root: started by this test only. */
    private static void killShims(Path execRoot) {
        ProcessHandle.allProcesses().forEach(p -> p.info().commandLine().ifPresent(cmd -> {
            if (cmd.contains("conmon") && cmd.contains(execRoot.toString())) {
                p.destroyForcibly();
            }
        }));
    }

    /** {@code name} under the cgroup root and under each hierarchy mounted below it (v1). */
    private static List<Path> cgroupsNamed(String name) throws IOException {
        Path base = Path.of("/sys/fs/cgroup");
        List<Path> candidates = new ArrayList<>();
        if (!Files.isDirectory(base)) {
            return candidates;
        }
        candidates.add(base.resolve(name));
        try (Stream<Path> s = Files.list(base)) {
            s.forEach(h -> candidates.add(h.resolve(name)));
        }
        return candidates;
    }

    /** Our daemons' parent cgroups, once no container is left in them; a busy one stays. */
    private static synchronized void removeEmptyParents() throws IOException {
        if (parentsBefore == null) {
            return;
        }
        for (Path p : cgroupsNamed("berth")) {
            if (Files.isDirectory(p) && !parentsBefore.contains(p)) {
                try {
                    Files.delete(p);
                } catch (IOException ignored) {
                    // Another test's containers are still in it; the last daemon to stop removes it.
                }
            }
        }
    }

    private static void removeCgroups(String id) throws IOException {
        List<Path> candidates = new ArrayList<>();
        for (Path parent : cgroupsNamed("berth")) {
            candidates.add(parent.resolve(id));
        }
        for (Path c : candidates) {
            if (Files.isDirectory(c)) {
                try {
                    Files.delete(c);
                } catch (IOException ignored) {
                    // Busy: a process is still in it; it is reported by the test that left it.
                }
            }
        }
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor(30, TimeUnit.SECONDS);
    }
}
