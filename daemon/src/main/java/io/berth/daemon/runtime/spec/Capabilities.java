package io.berth.daemon.runtime.spec;

import io.berth.errors.EngineException;
import io.berth.events.ContainerSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Linux capabilities as Docker's {@code --cap-add}, {@code --cap-drop} and {@code --privileged}
 * compute them: names are normalized to {@code CAP_X}, {@code ALL} stands for every capability the
 * daemon itself holds (its bounding set, so a daemon without {@code CAP_SYS_RESOURCE} never asks runc
 * for it), and the set starts from Docker's defaults.
 */
public final class Capabilities {

    /** Capability names by number, as in linux/capability.h. */
    static final List<String> BY_NUMBER = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
            "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
            "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
            "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
            "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
            "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
            "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
            "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

    private static final String ALL = "ALL";

    private final List<String> available;

    /** @param available the capabilities this daemon may grant, in number order */
    public Capabilities(List<String> available) {
        this.available = List.copyOf(available);
    }

    /** The capabilities of a bounding-set mask ({@code CapBnd} in /proc/self/status). */
    public static Capabilities ofMask(long mask) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < BY_NUMBER.size(); i++) {
            if ((mask & (1L << i)) != 0) {
                out.add(BY_NUMBER.get(i));
            }
        }
        return new Capabilities(out);
    }

    public List<String> available() {
        return available;
    }

    /**
     * A {@code CapAdd} or {@code CapDrop} list as Docker normalizes it: upper case, {@code CAP_}
     * prefixed, duplicates dropped, and only {@code ALL} when it is one of them.
     *
     * @throws EngineException INVALID for a name Linux does not have
     */
    public static List<String> normalize(List<String> names, String field) {
        Set<String> out = new LinkedHashSet<>();
        for (String n : names) {
            String c = n.trim().toUpperCase(Locale.ROOT);
            if (c.equals(ALL)) {
                return List.of(ALL);
            }
            if (!c.startsWith("CAP_")) {
                c = "CAP_" + c;
            }
            if (!BY_NUMBER.contains(c)) {
                throw EngineException.invalid("invalid " + field + ": unknown capability: \"" + c + "\"");
            }
            out.add(c);
        }
        return List.copyOf(out);
    }

    /**
     * The set a container's processes get, as Docker's rules combine privileged, adds and drops.
     *
     * @throws EngineException INVALID when an added capability is one the daemon lacks itself
     */
    public List<String> of(ContainerSpec.Security s) {
        return of(s, false);
    }

    /** As {@link #of(ContainerSpec.Security)}, for an exec that may ask for privilege of its own. */
    public List<String> of(ContainerSpec.Security s, boolean privilegedExec) {
        if (s.privileged() || privilegedExec) {
            return available;
        }
        List<String> adds = s.capAdd();
        List<String> drops = s.capDrop();
        List<String> out = new ArrayList<>();
        if (adds.contains(ALL)) {
            for (String c : available) {
                if (!drops.contains(c)) {
                    out.add(c);
                }
            }
            return out;
        }
        if (!drops.contains(ALL)) {
            for (String c : SpecBuilder.DEFAULT_CAPABILITIES) {
                if (!drops.contains(c)) {
                    out.add(c);
                }
            }
        }
        for (String c : adds) {
            if (!available.contains(c)) {
                throw EngineException.invalid("cannot add capability " + c + ": the daemon does not hold it");
            }
            if (!out.contains(c)) {
                out.add(c);
            }
        }
        return out;
    }
}
