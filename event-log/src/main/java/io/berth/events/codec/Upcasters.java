package io.berth.events.codec;

import static io.berth.events.codec.Shape.Scalar.INT;
import static io.berth.events.codec.Shape.Scalar.LONG;
import static io.berth.events.codec.Shape.Scalar.STRING;
import static io.berth.events.codec.Shape.field;
import static io.berth.events.codec.Shape.rec;
import io.berth.events.EventCatalog;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ordered upcaster chain of every event whose version moved on, with the retired shapes needed
 * to read old entries. Reading {@code name.vN} applies the upcasters from N up to the current version.
 *
 * <p>To change an event record: bump its {@code @EventType} version, add an {@link Upcaster} here from
 * the previous version with that version's shape (copied from the schema golden file), and add a test
 * that reads a payload written in the old shape.
 */
public final class Upcasters {

    /**
     * {@code container.exited} v1 to v2: v2 records the PID of the process that exited, so a repeated
     * notification of the same exit can be recognised. v1 entries did not know it; 0 means unknown.
     */
    public static final Upcaster CONTAINER_EXITED_V1 = new Upcaster("container.exited", 1,
            rec("Exited", field("id", STRING), field("exitCode", INT), field("finishedAtNanos", LONG)),
            payload -> {
                payload.put("pid", 0);
                return payload;
            });

    /**
     * {@code container.started} v1 to v2: v2 records when the runtime was asked to start the process.
     * v1 entries did not; 0 tells the reducer to use the entry's journal time, as v1 meant.
     */
    public static final Upcaster CONTAINER_STARTED_V1 = new Upcaster("container.started", 1,
            rec("Started", field("id", STRING), field("pid", INT)),
            payload -> {
                payload.put("startedAtNanos", 0L);
                return payload;
            });

    /**
     * {@code container.stop-requested} v1 to v2: v2 tells a stop by the daemon's own shutdown (which
     * restart policies do not count as the user's) from a user's. v1 stops were all users'.
     */
    public static final Upcaster CONTAINER_STOP_REQUESTED_V1 = new Upcaster("container.stop-requested", 1,
            rec("StopRequested", field("id", STRING), field("signal", INT), field("timeoutSeconds", INT)),
            payload -> {
                payload.put("daemonShutdown", false);
                return payload;
            });

    /**
     * {@code container.created} v1 to v2: the spec gained published ports, mounts and network
     * aliases. v1 containers had none of them (their networks were {@code none} or {@code host}).
     */
    public static final Upcaster CONTAINER_CREATED_V1 = new Upcaster("container.created", 1,
            (Shape.Rec) ShapeParser.parse("Created{id:S,name:S,spec:ContainerSpec{image:S,imageId:S,entrypoint:L<S>,"
                    + "cmd:L<S>,env:L<S>,workingDir:S,user:S,hostname:S,domainname:S,tty:Z,openStdin:Z,stdinOnce:Z,"
                    + "labels:M<S>,stopSignal:S,stopTimeout:I,resources:Resources{memory:J,memorySwap:J,"
                    + "memoryReservation:J,oomKillDisable:Z,nanoCpus:J,cpuShares:J,cpuPeriod:J,cpuQuota:J,"
                    + "cpusetCpus:S,pidsLimit:J,ulimits:L<Ulimit{name:S,soft:J,hard:J}>},"
                    + "restartPolicy:RestartPolicy{name:S,maximumRetryCount:I},autoRemove:Z,networkMode:S,"
                    + "binds:L<S>}}"),
            payload -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> spec = new LinkedHashMap<>((Map<String, Object>) payload.get("spec"));
                spec.put("exposedPorts", List.of());
                spec.put("portBindings", List.of());
                spec.put("publishAllPorts", false);
                spec.put("mounts", List.of());
                spec.put("networkAliases", List.of());
                payload.put("spec", spec);
                return payload;
            });

    /**
     * {@code container.created} v2 to v3: the spec gained its confinement (capabilities, privileged,
     * read-only root, seccomp, devices, user namespace mode). v2 containers ran with Docker's defaults.
     */
    public static final Upcaster CONTAINER_CREATED_V2 = new Upcaster("container.created", 2,
            (Shape.Rec) ShapeParser.parse("Created{id:S,name:S,spec:ContainerSpec{image:S,imageId:S,"
                    + "entrypoint:L<S>,cmd:L<S>,env:L<S>,workingDir:S,user:S,hostname:S,domainname:S,tty:Z,openStdin:Z,stdinOnce:Z,labels:M<S>,"
                    + "stopSignal:S,stopTimeout:I,resources:Resources{memory:J,memorySwap:J,memoryReservation:J,"
                    + "oomKillDisable:Z,nanoCpus:J,cpuShares:J,cpuPeriod:J,cpuQuota:J,cpusetCpus:S,pidsLimit:J,"
                    + "ulimits:L<Ulimit{name:S,soft:J,hard:J}>},restartPolicy:RestartPolicy{name:S,"
                    + "maximumRetryCount:I},autoRemove:Z,networkMode:S,binds:L<S>,exposedPorts:L<S>,"
                    + "portBindings:L<PortBinding{port:S,hostIp:S,hostPort:S}>,publishAllPorts:Z,"
                    + "mounts:L<Mount{type:S,source:S,target:S,readOnly:Z}>,networkAliases:L<S>}}"),
            payload -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> spec = new LinkedHashMap<>((Map<String, Object>) payload.get("spec"));
                Map<String, Object> security = new LinkedHashMap<>();
                security.put("privileged", false);
                security.put("capAdd", List.of());
                security.put("capDrop", List.of());
                security.put("readOnlyRootfs", false);
                security.put("noNewPrivileges", false);
                security.put("seccomp", "");
                security.put("devices", List.of());
                security.put("usernsMode", "");
                spec.put("security", security);
                payload.put("spec", spec);
                return payload;
            });

    private static final List<Upcaster> ALL = List.of(CONTAINER_EXITED_V1, CONTAINER_STARTED_V1,
            CONTAINER_STOP_REQUESTED_V1, CONTAINER_CREATED_V1, CONTAINER_CREATED_V2);

    private static final Map<String, Upcaster> BY_KEY = new HashMap<>();

    static {
        for (Upcaster u : ALL) {
            if (BY_KEY.put(key(u.name(), u.fromVersion()), u) != null) {
                throw new ExceptionInInitializerError("two upcasters for " + key(u.name(), u.fromVersion()));
            }
        }
    }

    private Upcasters() {}

    public static List<Upcaster> all() {
        return ALL;
    }

    /** The upcaster from {@code name.v<fromVersion>}, or null if there is none. */
    public static Upcaster from(String name, int fromVersion) {
        return BY_KEY.get(key(name, fromVersion));
    }

    /**
     * Brings a generic payload of {@code name} from {@code version} to the current version.
     *
     * @throws IllegalArgumentException if a step of the chain is missing or the version is newer
     */
    public static Map<String, Object> upcast(String name, int version, Map<String, Object> payload) {
        EventCatalog.Entry current = EventCatalog.byName(name);
        if (current == null) {
            throw new IllegalArgumentException("unknown event " + name);
        }
        if (version > current.version()) {
            throw new IllegalArgumentException(name + ".v" + version + " is newer than this Berth (v"
                    + current.version() + ")");
        }
        Map<String, Object> p = payload;
        for (int v = version; v < current.version(); v++) {
            Upcaster u = from(name, v);
            if (u == null) {
                throw new IllegalArgumentException("no upcaster from " + name + ".v" + v);
            }
            p = u.transform().apply(p);
        }
        return p;
    }

    private static String key(String name, int version) {
        return name + ".v" + version;
    }
}
