package io.berth.daemon.os;

import io.berth.errors.EngineException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * How user and group ids inside containers map to ids on the host under {@code userns-remap}: a
 * list of ranges each, as in /proc/PID/uid_map. {@link #NONE} is the identity of a daemon without
 * remapping. Pure.
 */
public record IdMap(List<Range> uids, List<Range> gids) {

    /** No remapping: container ids are host ids. */
    public static final IdMap NONE = new IdMap(List.of(), List.of());

    /** {@code size} ids from {@code containerId} in the container are those from {@code hostId} on the host. */
    public record Range(long containerId, long hostId, long size) {
        public Range {
            if (containerId < 0 || hostId < 0 || size <= 0) {
                throw new IllegalArgumentException("bad id range " + containerId + " " + hostId + " " + size);
            }
        }
    }

    public IdMap {
        uids = List.copyOf(uids);
        gids = List.copyOf(gids);
        if (uids.isEmpty() != gids.isEmpty()) {
            throw new IllegalArgumentException("uid and gid ranges go together");
        }
    }

    public boolean remapped() {
        return !uids.isEmpty();
    }

    /** The host uid of the container's root (0 without remapping). */
    public long rootUid() {
        return hostUid(0);
    }

    public long rootGid() {
        return hostGid(0);
    }

    public long hostUid(long uid) {
        return toHost(uids, uid, "uid");
    }

    public long hostGid(long gid) {
        return toHost(gids, gid, "gid");
    }

    /** The container's view of host {@code uid}; unmapped ids are the overflow id 65534, as the kernel shows them. */
    public long containerUid(long uid) {
        return toContainer(uids, uid);
    }

    public long containerGid(long gid) {
        return toContainer(gids, gid);
    }

    private long toHost(List<Range> ranges, long id, String what) {
        if (ranges.isEmpty()) {
            return id;
        }
        for (Range r : ranges) {
            if (id >= r.containerId() && id < r.containerId() + r.size()) {
                return r.hostId() + id - r.containerId();
            }
        }
        throw EngineException.invalid("container " + what + " " + id + " cannot be mapped to a host " + what);
    }

    private long toContainer(List<Range> ranges, long id) {
        if (ranges.isEmpty()) {
            return id;
        }
        for (Range r : ranges) {
            if (id >= r.hostId() && id < r.hostId() + r.size()) {
                return r.containerId() + id - r.hostId();
            }
        }
        return 65534;
    }

    /** The OCI spec's {@code linux.uidMappings}. */
    public JsonArray ociUids() {
        return oci(uids);
    }

    public JsonArray ociGids() {
        return oci(gids);
    }

    private static JsonArray oci(List<Range> ranges) {
        JsonArray a = new JsonArray();
        for (Range r : ranges) {
            a.add(new JsonObject().put("containerID", r.containerId()).put("hostID", r.hostId()).put("size", r.size()));
        }
        return a;
    }
}
