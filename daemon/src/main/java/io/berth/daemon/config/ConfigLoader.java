package io.berth.daemon.config;

import io.berth.daemon.container.RestartRule;
import io.berth.daemon.events.EventTimes;
import io.berth.daemon.image.registry.RegistryHosts;
import io.berth.errors.EngineException;
import io.berth.events.ContainerSpec;
import io.berth.events.journal.Retention;
import io.berth.events.journal.SyncMode;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds a {@link DaemonConfig} from command-line flags and daemon.json as dockerd does: the same
 * flag names and keys; a setting given both as a flag and in the file is an error; unknown keys are
 * errors.
 */
public final class ConfigLoader {

    /** One flag: its names, daemon.json key, whether it takes a value, and its help text. */
    public record Flag(String longName, String shortName, String key, boolean takesValue, String help) {}

    /** The profile containers-common maintains (Debian's golang-github-containers-common, Fedora's containers-common). */
    public static final String DEFAULT_SECCOMP = "/usr/share/containers/seccomp.json";

    public static final List<Flag> FLAGS = List.of(
            new Flag("--host", "-H", "hosts", true, "Daemon socket to listen on: unix://PATH, or tcp://ADDR:PORT with --tlsverify (repeatable)"),
            new Flag("--tlsverify", null, "tlsverify", false, "Use TLS on tcp:// hosts and require client certificates signed by --tlscacert"),
            new Flag("--tls", null, "tls", false, "--tls=false forces plain TCP on tcp:// hosts (anyone who reaches the port is root)"),
            new Flag("--tlscacert", null, "tlscacert", true, "Trust client certificates signed by this CA (default ~/.docker/ca.pem)"),
            new Flag("--tlscert", null, "tlscert", true, "Path to the TLS certificate file (default ~/.docker/cert.pem)"),
            new Flag("--tlskey", null, "tlskey", true, "Path to the TLS key file (default ~/.docker/key.pem)"),
            new Flag("--data-root", null, "data-root", true, "Root directory of persistent state (default /var/lib/berth)"),
            new Flag("--exec-root", null, "exec-root", true, "Root directory of execution state (default /run/berth)"),
            new Flag("--pidfile", "-p", "pidfile", true, "Path to the daemon's PID file (default /run/berth/berthd.pid)"),
            new Flag("--config-file", null, null, true, "Daemon configuration file (default /etc/berth/daemon.json)"),
            new Flag("--live-restore", null, "live-restore", false, "Keep containers running while the daemon is down (default true; --live-restore=false to disable)"),
            new Flag("--metrics-addr", null, "metrics-addr", true, "Address to serve Prometheus metrics on, host:port, empty for none (default 127.0.0.1:9323)"),
            new Flag("--log-level", "-l", "log-level", true, "Logging level: debug, info, warn, error (default info)"),
            new Flag("--default-ulimit", null, "default-ulimits", true, "Default ulimit for containers, NAME=SOFT[:HARD] (repeatable)"),
            new Flag("--journal-sync", null, "journal-sync", true, "When journal appends are acknowledged: none, periodic, fsync (default none)"),
            new Flag("--runc", null, "runc", true, "Path of the runc binary (default /usr/sbin/runc)"),
            new Flag("--conmon", null, "conmon", true, "Path of the conmon binary (default /usr/bin/conmon)"),
            new Flag("--policy-dir", null, "policy-dir", true, "Directory of JavaScript transition policies (default /etc/berth/policies)"),
            new Flag("--registry-mirror", null, "registry-mirrors", true, "Preferred Docker Hub mirror, a URL (repeatable)"),
            new Flag("--insecure-registry", null, "insecure-registries", true, "Registry (host:port or CIDR) that may be reached over plain HTTP (repeatable)"),
            new Flag("--max-concurrent-downloads", null, "max-concurrent-downloads", true, "Layers of one pull downloaded at once (default 3)"),
            new Flag("--max-concurrent-uploads", null, "max-concurrent-uploads", true, "Layers of one push uploaded at once (default 5)"),
            new Flag("--seccomp-profile", null, "seccomp-profile", true, "Default seccomp profile of containers, a file in Docker's format, or unconfined (default " + DEFAULT_SECCOMP + ")"),
            new Flag("--userns-remap", null, "userns-remap", true, "Map containers' root to a host user's subordinate ids: default (user dockremap), USER, USER:GROUP, UID or UID:GID"),
            new Flag("--version", "-v", null, false, "Print version information and quit"),
            new Flag("--help", "-h", null, false, "Print usage"));

    private static final Set<String> KEYS = Set.of("hosts", "data-root", "exec-root", "pidfile", "live-restore",
            "metrics-addr", "log-level", "default-ulimits", "journal-sync", "runc", "conmon", "events-retention",
            "restart-backoff", "policy-dir", "default-policy", "policy-timeout", "policy-max-memory", "metrics-interval",
            "metrics-labels", "registry-mirrors", "insecure-registries", "max-concurrent-downloads",
            "max-concurrent-uploads", "seccomp-profile", "tls", "tlsverify", "tlscacert", "tlscert", "tlskey",
            "userns-remap");

    private static final Pattern SIZE = Pattern.compile("(?i)\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(?:([kmgtp])(i)?)?b?\\s*");

    /** The keys of daemon.json's {@code events-retention} object. */
    private static final Set<String> RETENTION_KEYS = Set.of("max-age", "max-size");

    /** The keys of daemon.json's {@code restart-backoff} object. */
    private static final Set<String> BACKOFF_KEYS = Set.of("initial", "max", "reset-after");

    private ConfigLoader() {}

    /** Every key daemon.json may have (those of the flags and the file-only ones). */
    public static Set<String> keys() {
        return KEYS;
    }

    /** The usage text {@code berthd --help} prints. */
    public static String usage() {
        StringBuilder sb = new StringBuilder("Usage:  berthd [OPTIONS]\n\nA container engine that speaks the Docker Engine API.\n\nOptions:\n");
        for (Flag f : FLAGS) {
            String names = (f.shortName() == null ? "    " : f.shortName() + ", ") + f.longName()
                    + (f.takesValue() ? " value" : "");
            sb.append(String.format("  %-30s %s%n", names, f.help()));
        }
        sb.append("\nOperator tools (read the journal, change nothing):\n")
                .append("  berthd journal verify|dump|explain   See 'berthd journal --help'\n");
        return sb.toString();
    }

    /** True when the arguments ask for the version. */
    public static boolean wantsVersion(String[] args) {
        for (String a : args) {
            if (a.equals("--version") || a.equals("-v")) {
                return true;
            }
        }
        return false;
    }

    /** True when the arguments ask for help. */
    public static boolean wantsHelp(String[] args) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Parses flags, reads the config file they name (or the default one, if present) and merges them.
     *
     * @throws EngineException INVALID_ARGUMENT with dockerd-like messages
     */
    public static DaemonConfig load(String[] args) {
        Map<String, List<String>> flags = parseFlags(args);
        List<String> cf = flags.remove("config-file");
        Path file = Path.of(cf == null ? "/etc/berth/daemon.json" : cf.get(cf.size() - 1));
        JsonObject json = readFile(file, cf != null);
        Set<String> both = new TreeSet<>(flags.keySet());
        both.retainAll(json.fieldNames());
        if (!both.isEmpty()) {
            throw EngineException.invalid("the following directives are specified both as a flag and in the"
                    + " configuration file: " + String.join(", ", both) + " (from file: " + file + ")");
        }
        return build(flags, json);
    }

    static Map<String, List<String>> parseFlags(String[] args) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            Flag flag = find(name);
            if (flag == null) {
                throw EngineException.invalid("unknown flag: " + arg);
            }
            if (flag.takesValue() && value == null) {
                if (i + 1 >= args.length) {
                    throw EngineException.invalid("flag needs an argument: " + arg);
                }
                value = args[++i];
            } else if (!flag.takesValue()) {
                value = value == null ? "true" : value;
            }
            String key = flag.key() == null ? flag.longName().substring(2) : flag.key();
            out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static Flag find(String name) {
        for (Flag f : FLAGS) {
            if (f.longName().equals(name) || name.equals(f.shortName())) {
                return f;
            }
        }
        return null;
    }

    private static JsonObject readFile(Path file, boolean mustExist) {
        try {
            String text = Files.readString(file);
            JsonObject json = new JsonObject(text);
            Set<String> unknown = new TreeSet<>(json.fieldNames());
            unknown.removeAll(KEYS);
            if (!unknown.isEmpty()) {
                throw EngineException.invalid("the following directives don't match any configuration option: "
                        + String.join(", ", unknown));
            }
            return json;
        } catch (NoSuchFileException e) {
            if (mustExist) {
                throw EngineException.invalid("unable to configure the daemon: open " + file + ": no such file or directory");
            }
            return new JsonObject();
        } catch (IOException e) {
            throw EngineException.invalid("unable to read " + file + ": " + e.getMessage());
        } catch (DecodeException | ClassCastException e) {
            throw EngineException.invalid("unable to configure the daemon: " + file + " is not valid JSON: " + e.getMessage());
        }
    }

    private static DaemonConfig build(Map<String, List<String>> flags, JsonObject json) {
        List<String> hosts = flags.containsKey("hosts") ? flags.get("hosts")
                : json.containsKey("hosts") ? strings(json.getJsonArray("hosts")) : List.of("unix:///run/berth/berth.sock");
        DaemonConfig.Tls tls = tls(flags, json);
        for (String h : hosts) {
            if (h.startsWith("tcp://")) {
                tcpAddress(h);
                if (!tls.verify() && !tls.forcedPlain()) {
                    throw EngineException.invalid("refusing to listen on " + h + " without --tlsverify: remote access"
                            + " needs mutual TLS (--tlsverify --tlscacert --tlscert --tlskey); --tls=false forces"
                            + " plain TCP");
                }
            } else if (!h.startsWith("unix://") || h.length() <= "unix://".length()) {
                throw EngineException.invalid("invalid host " + h + ": use unix://PATH or tcp://ADDR:PORT");
            }
        }
        Path execRoot = Path.of(value(flags, json, "exec-root", "/run/berth"));
        List<ContainerSpec.Ulimit> ulimits = new ArrayList<>();
        if (flags.containsKey("default-ulimits")) {
            for (String u : flags.get("default-ulimits")) {
                ulimits.add(parseUlimit(u));
            }
        } else if (json.containsKey("default-ulimits")) {
            JsonObject m = json.getJsonObject("default-ulimits");
            for (String name : m.fieldNames()) {
                JsonObject u = m.getJsonObject(name);
                ulimits.add(new ContainerSpec.Ulimit(u.getString("Name", name), u.getLong("Soft"), u.getLong("Hard")));
            }
        }
        String logLevel = value(flags, json, "log-level", "info").toLowerCase(Locale.ROOT);
        if (!Set.of("debug", "info", "warn", "error", "fatal").contains(logLevel)) {
            throw EngineException.invalid("unable to parse logging level: " + logLevel);
        }
        SyncMode sync;
        try {
            sync = SyncMode.valueOf(value(flags, json, "journal-sync", "none").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw EngineException.invalid("invalid journal-sync: use none, periodic or fsync");
        }
        return new DaemonConfig(hosts,
                Path.of(value(flags, json, "data-root", "/var/lib/berth")),
                execRoot,
                Path.of(value(flags, json, "pidfile", execRoot.resolve("berthd.pid").toString())),
                Boolean.parseBoolean(value(flags, json, "live-restore", "true")),
                metrics(flags, json),
                logLevel, ulimits, sync,
                Path.of(value(flags, json, "runc", "/usr/sbin/runc")),
                Path.of(value(flags, json, "conmon", "/usr/bin/conmon")),
                retention(json.getValue("events-retention")),
                backoff(json.getValue("restart-backoff")),
                policies(flags, json),
                registries(flags, json),
                value(flags, json, "seccomp-profile", DEFAULT_SECCOMP),
                tls,
                value(flags, json, "userns-remap", ""));
    }

    /**
     * TLS for tcp:// hosts, with dockerd's flags and keys: {@code tlsverify} turns on mutual TLS with
     * {@code tlscacert}, {@code tlscert} and {@code tlskey} (default ~/.docker/{ca,cert,key}.pem, as
     * dockerd); {@code tls=false} given explicitly is the only way to plain TCP. Server-only TLS
     * ({@code --tls} without {@code --tlsverify}) is not offered: it lets any client in.
     */
    static DaemonConfig.Tls tls(Map<String, List<String>> flags, JsonObject json) {
        boolean verify = Boolean.parseBoolean(value(flags, json, "tlsverify", "false"));
        String tlsValue = value(flags, json, "tls", null);
        Path home = Path.of(System.getProperty("user.home"), ".docker");
        return new DaemonConfig.Tls(verify, "false".equalsIgnoreCase(tlsValue) && !verify,
                Path.of(value(flags, json, "tlscacert", home.resolve("ca.pem").toString())),
                Path.of(value(flags, json, "tlscert", home.resolve("cert.pem").toString())),
                Path.of(value(flags, json, "tlskey", home.resolve("key.pem").toString())));
    }

    /**
     * The address and port of a {@code tcp://ADDR:PORT} host.
     *
     * @throws EngineException INVALID_ARGUMENT when it is not one
     */
    public static java.net.InetSocketAddress tcpAddress(String host) {
        String rest = host.substring("tcp://".length());
        int colon = rest.lastIndexOf(':');
        String addr = colon < 0 ? rest : rest.substring(0, colon);
        if (addr.startsWith("[") && addr.endsWith("]")) {
            addr = addr.substring(1, addr.length() - 1);
        }
        int port;
        try {
            port = colon < 0 ? 2376 : Integer.parseInt(rest.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535 || rest.contains("/")) {
            throw EngineException.invalid("invalid host " + host + ": use tcp://ADDR:PORT");
        }
        return java.net.InetSocketAddress.createUnresolved(addr.isEmpty() ? "0.0.0.0" : addr, port);
    }

    /**
     * Registries, with dockerd's flags and keys: {@code registry-mirrors} (URLs tried first for Docker
     * Hub), {@code insecure-registries} (host[:port] or CIDR reached over plain HTTP too),
     * {@code max-concurrent-downloads} (3) and {@code max-concurrent-uploads} (5).
     */
    static RegistryHosts registries(Map<String, List<String>> flags, JsonObject json) {
        List<URI> mirrors = new ArrayList<>();
        for (String m : list(flags, json, "registry-mirrors")) {
            URI u;
            try {
                u = new URI(m.strip());
            } catch (URISyntaxException e) {
                u = null;
            }
            if (u == null || u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
                throw EngineException.invalid("invalid mirror: unsupported scheme or no host in \"" + m
                        + "\": use a URL such as https://mirror.example.com");
            }
            mirrors.add(u);
        }
        List<String> insecure = list(flags, json, "insecure-registries");
        return new RegistryHosts(mirrors, insecure, positive(flags, json, "max-concurrent-downloads", 3),
                positive(flags, json, "max-concurrent-uploads", 5));
    }

    private static List<String> list(Map<String, List<String>> flags, JsonObject json, String key) {
        if (flags.containsKey(key)) {
            return flags.get(key);
        }
        Object v = json.getValue(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof JsonArray a) || !a.stream().allMatch(x -> x instanceof String)) {
            throw EngineException.invalid("unable to configure the daemon: " + key + " must be an array of strings");
        }
        return strings(a);
    }

    private static int positive(Map<String, List<String>> flags, JsonObject json, String key, int dflt) {
        String v = value(flags, json, key, Integer.toString(dflt));
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw EngineException.invalid("invalid " + key + " value \"" + v + "\": must be a positive integer");
    }

    /**
     * The metrics endpoint: {@code metrics-addr} (flag or key, dockerd's), and the daemon.json keys
     * {@code metrics-interval} (a Go duration, default 5s, how often cgroups are sampled) and
     * {@code metrics-labels} (container label keys exported as Prometheus labels).
     */
    static DaemonConfig.Metrics metrics(Map<String, List<String>> flags, JsonObject json) {
        String addr = value(flags, json, "metrics-addr", "127.0.0.1:9323").strip();
        int colon = addr.lastIndexOf(':');
        if (!addr.isEmpty() && (colon < 0 || !addr.substring(colon + 1).matches("[0-9]{1,5}")
                || Integer.parseInt(addr.substring(colon + 1)) > 65535)) {
            throw EngineException.invalid("unable to configure the daemon: invalid metrics-addr \"" + addr
                    + "\": use host:port, such as 127.0.0.1:9323");
        }
        Duration interval = duration(json, "metrics-interval", "metrics-interval", Duration.ofSeconds(5));
        if (interval.toMillis() < 100) {
            throw EngineException.invalid("unable to configure the daemon: invalid metrics-interval \""
                    + json.getValue("metrics-interval") + "\": use a duration of at least 100ms, such as 5s");
        }
        List<String> labels = list(flags, json, "metrics-labels");
        return new DaemonConfig.Metrics(addr, interval, labels);
    }

    /**
     * The transition policies' settings: {@code policy-dir} (flag or key), and the daemon.json keys
     * {@code default-policy} (the policy of containers without a {@code berth.policy} label),
     * {@code policy-timeout} (a Go duration per call, default 50ms) and {@code policy-max-memory} (the
     * largest memory limit an {@code onOom} decision may set, default 0: no cap beyond the host's).
     */
    static DaemonConfig.Policies policies(Map<String, List<String>> flags, JsonObject json) {
        Path dir = Path.of(value(flags, json, "policy-dir", "/etc/berth/policies"));
        String fallback = json.getString("default-policy", "");
        Duration timeout = duration(json, "policy-timeout", "policy-timeout", Duration.ofMillis(50));
        if (timeout.toMillis() < 1) {
            throw EngineException.invalid("unable to configure the daemon: invalid policy-timeout \""
                    + json.getValue("policy-timeout") + "\": use a duration of at least 1ms, such as 50ms");
        }
        long maxMemory = 0;
        Object m = json.getValue("policy-max-memory");
        if (m != null) {
            maxMemory = m instanceof Number n ? n.longValue() : bytes(m.toString());
            if (maxMemory < 0) {
                throw EngineException.invalid("unable to configure the daemon: invalid policy-max-memory \"" + m
                        + "\": use a size such as 2GiB");
            }
        }
        return new DaemonConfig.Policies(dir, fallback, timeout, maxMemory);
    }

    /**
     * daemon.json's {@code "restart-backoff": {"initial": "100ms", "max": "1m", "reset-after": "10s"}}:
     * the delay before a policy restart starts at {@code initial}, doubles up to {@code max}, and falls
     * back to {@code initial} after a run of at least {@code reset-after}. Missing keys keep Docker's values.
     */
    static RestartRule.Backoff backoff(Object value) {
        if (value == null) {
            return RestartRule.Backoff.DOCKER;
        }
        JsonObject o = object("restart-backoff", value, BACKOFF_KEYS,
                "{\"initial\": \"100ms\", \"max\": \"1m\", \"reset-after\": \"10s\"}");
        RestartRule.Backoff d = RestartRule.Backoff.DOCKER;
        Duration initial = duration(o, "initial", "restart-backoff initial", d.initial());
        Duration max = duration(o, "max", "restart-backoff max", d.max());
        Duration resetAfter = duration(o, "reset-after", "restart-backoff reset-after", d.resetAfter());
        try {
            return new RestartRule.Backoff(initial, max, resetAfter);
        } catch (IllegalArgumentException e) {
            throw EngineException.invalid("unable to configure the daemon: invalid restart-backoff: "
                    + "initial must be at least 1ms and at most max");
        }
    }

    /** The Go duration under {@code key} ({@code fallback} without one); errors call it {@code name}. */
    private static Duration duration(JsonObject o, String key, String name, Duration fallback) {
        Object v = o.getValue(key);
        if (v == null) {
            return fallback;
        }
        Long nanos = v instanceof String text ? EventTimes.duration(text) : null;
        if (nanos == null || nanos < 0) {
            throw EngineException.invalid("unable to configure the daemon: invalid " + name + " \"" + v
                    + "\": use a duration such as 100ms, 30s or 1m");
        }
        return Duration.ofNanos(nanos);
    }

    /** A daemon.json value that must be an object with only the given keys. */
    private static JsonObject object(String name, Object value, Set<String> keys, String example) {
        if (!(value instanceof JsonObject o)) {
            throw EngineException.invalid("unable to configure the daemon: " + name + " must be an object such as "
                    + example);
        }
        Set<String> unknown = new TreeSet<>(o.fieldNames());
        unknown.removeAll(keys);
        if (!unknown.isEmpty()) {
            throw EngineException.invalid("the following directives don't match any configuration option: "
                    + String.join(", ", unknown.stream().map(k -> name + "." + k).toList()));
        }
        return o;
    }

    /**
     * daemon.json's {@code "events-retention": {"max-age": "168h", "max-size": "1GB"}}: journal files
     * older than {@code max-age} (a Go duration) are deleted, and the oldest while the journal is
     * larger than {@code max-size} (bytes, or with a unit: kB, MB, GB, TB, KiB, MiB, GiB, TiB). Either
     * may be left out or "0" for no limit; without the key the journal keeps everything.
     */
    static Retention retention(Object value) {
        if (value == null) {
            return Retention.UNLIMITED;
        }
        JsonObject o = object("events-retention", value, RETENTION_KEYS,
                "{\"max-age\": \"168h\", \"max-size\": \"1GB\"}");
        Duration age = Duration.ZERO;
        Object a = o.getValue("max-age");
        if (a != null) {
            Long nanos = "0".equals(a.toString()) ? Long.valueOf(0)
                    : a instanceof String text ? EventTimes.duration(text) : null;
            if (nanos == null || nanos < 0) {
                throw EngineException.invalid("unable to configure the daemon: invalid events-retention max-age \""
                        + a + "\": use a duration such as 168h or 30m");
            }
            age = Duration.ofNanos(nanos);
        }
        long size = 0;
        Object m = o.getValue("max-size");
        if (m != null) {
            size = m instanceof Number n ? n.longValue() : bytes(m.toString());
            if (size < 0) {
                throw EngineException.invalid("unable to configure the daemon: invalid events-retention max-size \""
                        + m + "\": use a size such as 1GB or 512MiB");
            }
        }
        return new Retention(age, size);
    }

    /** The retention as people write it: {@code max-age 168h, max-size 1GB}, or {@code unlimited}. */
    public static String describe(Retention r) {
        if (r.unlimited()) {
            return "unlimited";
        }
        List<String> parts = new ArrayList<>();
        if (!r.maxAge().isZero()) {
            parts.add("max-age " + goDuration(r.maxAge()));
        }
        if (r.maxBytes() > 0) {
            parts.add("max-size " + size(r.maxBytes()));
        }
        return String.join(", ", parts);
    }

    private static String goDuration(Duration d) {
        StringBuilder sb = new StringBuilder();
        long h = d.toHours();
        int m = d.toMinutesPart();
        int sec = d.toSecondsPart();
        if (h > 0) {
            sb.append(h).append('h');
        }
        if (m > 0) {
            sb.append(m).append('m');
        }
        if (sec > 0 || sb.isEmpty()) {
            sb.append(sec).append('s');
        }
        return sb.toString();
    }

    private static String size(long bytes) {
        String[] decimal = {"kB", "MB", "GB", "TB"};
        String[] binary = {"KiB", "MiB", "GiB", "TiB"};
        for (int i = decimal.length - 1; i >= 0; i--) {
            long d = (long) Math.pow(1000, i + 1);
            long b = 1L << (10 * (i + 1));
            if (bytes % d == 0) {
                return bytes / d + decimal[i];
            }
            if (bytes % b == 0) {
                return bytes / b + binary[i];
            }
        }
        return bytes + "B";
    }

    /** A size as dockerd's log options take it: decimal units (kB, MB, ...) or binary ones (KiB, ...); -1 when invalid. */
    static long bytes(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            return -1;
        }
        int power = m.group(2) == null ? 0 : "kmgtp".indexOf(m.group(2).toLowerCase(Locale.ROOT)) + 1;
        double base = m.group(3) == null ? 1000 : 1024;
        double v = Double.parseDouble(m.group(1)) * Math.pow(base, power);
        return v > Long.MAX_VALUE ? -1 : (long) v;
    }

    private static String value(Map<String, List<String>> flags, JsonObject json, String key, String dflt) {
        List<String> v = flags.get(key);
        if (v != null) {
            return v.get(v.size() - 1);
        }
        Object j = json.getValue(key);
        return j == null ? dflt : j.toString();
    }

    private static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>();
        a.forEach(o -> out.add(o.toString()));
        return out;
    }

    /** Parses {@code nofile=1024:2048} (hard defaults to soft), as dockerd's --default-ulimit. */
    public static ContainerSpec.Ulimit parseUlimit(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0) {
            throw EngineException.invalid("invalid ulimit argument: " + text);
        }
        String name = text.substring(0, eq);
        String[] parts = text.substring(eq + 1).split(":");
        try {
            long soft = Long.parseLong(parts[0]);
            long hard = parts.length > 1 ? Long.parseLong(parts[1]) : soft;
            if (parts.length > 2 || soft > hard) {
                throw EngineException.invalid("ulimit soft limit must be less than or equal to hard limit: " + text);
            }
            return new ContainerSpec.Ulimit(name, soft, hard);
        } catch (NumberFormatException e) {
            throw EngineException.invalid("invalid ulimit argument: " + text);
        }
    }
}
