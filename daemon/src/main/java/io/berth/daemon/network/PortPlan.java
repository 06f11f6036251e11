package io.berth.daemon.network;

import io.berth.errors.EngineException;
import io.berth.events.ContainerSpec;
import io.berth.events.NetworkEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Published ports: reading Docker's {@code ExposedPorts} and {@code HostConfig.PortBindings} (the
 * docker CLI has parsed {@code -p} and {@code -P} into them), and turning a spec's bindings into the
 * mappings the portmap plugin publishes at a start, with a free host port picked where none was
 * given. Pure, but for the port picker it is handed.
 */
public final class PortPlan {

    private PortPlan() {}

    /** {@code 80}, {@code 80/tcp}, {@code 53/udp} as {@code PORT/PROTO}; anything else is a 400. */
    public static String normalize(String port) {
        String p = port.trim();
        String proto = "tcp";
        int slash = p.indexOf('/');
        if (slash >= 0) {
            proto = p.substring(slash + 1).toLowerCase(Locale.ROOT);
            p = p.substring(0, slash);
        }
        if (!Set.of("tcp", "udp", "sctp").contains(proto)) {
            throw EngineException.invalid("invalid proto: " + proto);
        }
        int n = number(p, "invalid containerPort: " + port);
        return n + "/" + proto;
    }

    private static int number(String s, String error) {
        try {
            int n = Integer.parseInt(s);
            if (n < 1 || n > 65535) {
                throw EngineException.invalid(error);
            }
            return n;
        } catch (NumberFormatException e) {
            throw EngineException.invalid(error);
        }
    }

    /** The exposed ports of the image and the request, and of every binding, sorted. */
    public static List<String> exposed(List<String> image, JsonObject exposedPorts, List<ContainerSpec.PortBinding> bindings) {
        Set<String> out = new TreeSet<>(Comparator.comparingInt((String p) -> Integer.parseInt(p.substring(0, p.indexOf('/'))))
                .thenComparing(p -> p));
        for (String p : image) {
            out.add(normalize(p));
        }
        if (exposedPorts != null) {
            for (String p : exposedPorts.fieldNames()) {
                out.add(normalize(p));
            }
        }
        for (ContainerSpec.PortBinding b : bindings) {
            out.add(b.port());
        }
        return new ArrayList<>(out);
    }

    /** {@code HostConfig.PortBindings}: {@code {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}}. */
    public static List<ContainerSpec.PortBinding> bindings(JsonObject portBindings) {
        List<ContainerSpec.PortBinding> out = new ArrayList<>();
        if (portBindings == null) {
            return out;
        }
        for (String port : portBindings.fieldNames()) {
            String key = normalize(port);
            Object v = portBindings.getValue(port);
            if (!(v instanceof JsonArray list) || list.isEmpty()) {
                out.add(new ContainerSpec.PortBinding(key, "", ""));
                continue;
            }
            for (Object o : list) {
                JsonObject b = o instanceof JsonObject j ? j : new JsonObject();
                String hostPort = b.getString("HostPort", "");
                if (hostPort == null) {
                    hostPort = "";
                }
                if (!hostPort.isEmpty()) {
                    if (hostPort.contains("-")) {
                        throw EngineException.invalid("host port ranges are not supported: " + hostPort);
                    }
                    hostPort = String.valueOf(number(hostPort, "invalid hostPort: " + hostPort));
                }
                String ip = b.getString("HostIp", "");
                out.add(new ContainerSpec.PortBinding(key, ip == null ? "" : ip, hostPort));
            }
        }
        return out;
    }

    /**
     * The mappings of one start: each binding (with {@code -P}, also each exposed port without one),
     * its empty host port replaced by one {@code picker} gives for its protocol.
     */
    public static List<NetworkEvent.PortMapping> mappings(ContainerSpec spec, Function<String, Integer> picker) {
        List<ContainerSpec.PortBinding> all = new ArrayList<>(spec.portBindings());
        if (spec.publishAllPorts()) {
            Set<String> bound = new LinkedHashSet<>();
            spec.portBindings().forEach(b -> bound.add(b.port()));
            for (String p : spec.exposedPorts()) {
                if (!bound.contains(p)) {
                    all.add(new ContainerSpec.PortBinding(p, "", ""));
                }
            }
        }
        List<NetworkEvent.PortMapping> out = new ArrayList<>();
        for (ContainerSpec.PortBinding b : all) {
            int slash = b.port().indexOf('/');
            int containerPort = Integer.parseInt(b.port().substring(0, slash));
            String proto = b.port().substring(slash + 1);
            int hostPort = b.hostPort().isEmpty() ? picker.apply(proto) : Integer.parseInt(b.hostPort());
            out.add(new NetworkEvent.PortMapping(proto, containerPort, b.hostIp().isEmpty() ? "0.0.0.0" : b.hostIp(),
                    hostPort));
        }
        return out;
    }

    /** A host port free now for {@code proto}, from the kernel's ephemeral range. */
    public static int freePort(String proto) {
        try {
            if ("udp".equals(proto)) {
                try (DatagramSocket s = new DatagramSocket(0)) {
                    return s.getLocalPort();
                }
            }
            try (ServerSocket s = new ServerSocket(0)) {
                return s.getLocalPort();
            }
        } catch (IOException e) {
            throw EngineException.internal("no free host port: " + e.getMessage(), e);
        }
    }

    /**
     * Docker's {@code NetworkSettings.Ports}: every exposed port, with its published host addresses
     * or {@code null}.
     */
    public static JsonObject dockerPorts(List<String> exposed, List<NetworkEvent.PortMapping> mappings) {
        JsonObject out = new JsonObject();
        for (String p : exposed) {
            out.put(p, null);
        }
        for (NetworkEvent.PortMapping m : mappings) {
            String key = m.containerPort() + "/" + m.protocol();
            JsonArray list = out.getJsonArray(key);
            if (list == null) {
                list = new JsonArray();
                out.put(key, list);
            }
            list.add(new JsonObject().put("HostIp", m.hostIp()).put("HostPort", String.valueOf(m.hostPort())));
        }
        return out;
    }
}
