package io.berth.daemon.runtime.oom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both cgroup versions' OOM monitors share: the container cgroups live in one directory,
 * {@code <cgroups>/<id>}, each with a flat keyed counter file holding {@code oom_kill}; the kernel
 * makes some descriptor readable when that file may have changed, and an {@link EpollLoop} waits for
 * those. Subclasses register and release the descriptors and map a readable one to its watches.
 *
 * <p>All state is guarded by {@code this}. Notices are collected under it and handed to the listener
 * after it is released, so a listener may call back into the monitor, or into code that does, without
 * deadlock; the price is that a notice already collected when {@link #unwatch} runs is still delivered.
 *
 * @param <W> the subclass's watch, which holds its registration
 */
abstract sealed class CgroupOomMonitor<W extends CgroupOomMonitor.Watch> implements OomMonitor, EpollLoop.Handler
        permits CgroupV1OomMonitor, CgroupV2OomMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(CgroupOomMonitor.class);
    static final String THREAD_NAME = "berth-oom-monitor";

    /** One watched container cgroup. */
    static class Watch {
        final String id;
        final Path dir;
        /** The highest oom_kill seen: the count when watching began, then each one reported. */
        long reported;

        Watch(String id, Path dir) {
            this.id = id;
            this.dir = dir;
        }
    }

    final Path cgroups;
    final EpollLoop loop;
    private final String counterFile;
    private final Map<String, W> watches = new HashMap<>();
    private final List<OomNotice> collected = new ArrayList<>();
    private Consumer<OomNotice> listener;
    private boolean closed;

    /**
     * @param cgroups     the directory holding one cgroup directory per container id
     * @param counterFile the name of the file in each that holds {@code oom_kill}
     */
    CgroupOomMonitor(Path cgroups, String counterFile) {
        this.cgroups = cgroups;
        this.counterFile = counterFile;
        this.loop = new EpollLoop();
    }

    /** Registers with the kernel for changes of {@code dir}'s counters; undoes itself on failure. */
    abstract W register(String id, Path dir) throws IOException;

    /** Undoes {@link #register}, quietly: the cgroup may be gone already. */
    abstract void release(W watch);

    /** Handles a readable descriptor added to {@link #loop} under {@code token}; called under the lock. */
    abstract void readable(long token);

    /** Handles timed work; called under the lock after each wait. Returns as {@link EpollLoop.Handler#waited}. */
    int due() {
        return -1;
    }

    /** Releases what the subclass holds besides its watches; called once, after the loop thread ended. */
    void closeOwn() {}

    @Override
    public synchronized void start(Consumer<OomNotice> listener) {
        if (this.listener != null || closed) {
            throw new IllegalStateException(closed ? "closed" : "already started");
        }
        this.listener = listener;
        loop.start(THREAD_NAME, this);
    }

    @Override
    public final long watch(String id) {
        Path dir = dir(id);
        synchronized (this) {
            if (closed) {
                LOG.warn("not watching {} for OOM kills: the monitor is closed", dir);
                return -1;
            }
            W known = watches.get(id);
            if (known != null) {
                return known.reported;
            }
            try {
                W watch = register(id, dir);
                watches.put(id, watch);
                try {
                    // After registering, so a kill in between is in this count or brings a wake.
                    watch.reported = read(dir);
                } catch (IOException | IllegalArgumentException e) {
                    forget(watch);
                    throw e;
                }
                return watch.reported;
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("cannot watch {} for OOM kills: {}", dir, e.toString());
                return -1;
            }
        }
    }

    @Override
    public final long killCount(String id) {
        Path dir = dir(id);
        try {
            return read(dir);
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("cannot read {} of {}: {}", counterFile, dir, e.toString());
            return -1;
        }
    }

    @Override
    public final synchronized void unwatch(String id) {
        W watch = watches.remove(id);
        if (watch != null) {
            release(watch);
        }
    }

    @Override
    public final void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        loop.close(); // outside the lock: the thread may be waiting for it
        synchronized (this) {
            watches.values().forEach(this::release);
            watches.clear();
            closeOwn();
        }
    }

    /** The ids watched now. */
    final synchronized Set<String> watched() {
        return Set.copyOf(watches.keySet());
    }

    @Override
    public final void ready(long token) {
        List<OomNotice> notices;
        synchronized (this) {
            if (closed) {
                return;
            }
            readable(token);
            notices = takeCollected();
        }
        deliver(notices);
    }

    @Override
    public final int waited() {
        List<OomNotice> notices;
        int timeout;
        synchronized (this) {
            if (closed) {
                return -1;
            }
            timeout = due();
            notices = takeCollected();
        }
        deliver(notices);
        return timeout;
    }

    /**
     * Re-reads {@code watch}'s counter (under the lock) and collects a notice when it rose. A cgroup
     * that is gone is forgotten quietly. Returns whether it rose.
     */
    final boolean check(W watch) {
        long kills;
        try {
            kills = read(watch.dir);
        } catch (NoSuchFileException e) {
            forget(watch); // removed, by runc delete as a rule
            return false;
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("cannot read {} of {}: {}", counterFile, watch.dir, e.toString());
            return false;
        }
        if (kills <= watch.reported) {
            return false;
        }
        watch.reported = kills;
        collected.add(new OomNotice(watch.id, kills));
        return true;
    }

    /** Stops watching {@code watch} if it still is (under the lock). */
    final void forget(W watch) {
        if (watches.remove(watch.id, watch)) {
            release(watch);
        }
    }

    private long read(Path dir) throws IOException {
        return OomCounters.oomKill(Files.readString(dir.resolve(counterFile)));
    }

    private Path dir(String id) {
        if (id.isEmpty() || id.indexOf('/') >= 0 || id.equals(".") || id.equals("..")) {
            throw new IllegalArgumentException("not a cgroup name: \"" + id + "\"");
        }
        return cgroups.resolve(id);
    }

    private List<OomNotice> takeCollected() {
        if (collected.isEmpty()) {
            return List.of();
        }
        List<OomNotice> notices = List.copyOf(collected);
        collected.clear();
        return notices;
    }

    private void deliver(List<OomNotice> notices) {
        for (OomNotice notice : notices) {
            try {
                listener.accept(notice);
            } catch (RuntimeException e) {
                LOG.error("OOM listener failed for {}", notice.id(), e);
            }
        }
    }

    /**
     * The monitor for the layout under {@code root}: cgroup v2 when {@code root} is a cgroup2 mount
     * (pure v2), else v1 when {@code root/memory} exists (v1 or hybrid, where the memory controller
     * stays on v1).
     */
    static OomMonitor forHost(Path root, String parent) {
        if (isUnified(root)) {
            return new CgroupV2OomMonitor(root.resolve(parent));
        }
        if (Files.isDirectory(root.resolve("memory"))) {
            return new CgroupV1OomMonitor(root.resolve("memory").resolve(parent));
        }
        throw new IllegalStateException("no memory cgroups: " + root + " is neither a cgroup2 mount nor has memory/");
    }

    /** Whether {@code root} is a cgroup2 mount: it has cgroup.controllers and statfs says cgroup2. */
    static boolean isUnified(Path root) {
        if (!Files.exists(root.resolve("cgroup.controllers"))) {
            return false;
        }
        byte[] statfs = new byte[256]; // struct statfs is 120 bytes on 64-bit Linux
        if (LinuxLibC.INSTANCE.statfs(root.toString(), statfs) < 0) {
            LOG.warn("{}; taking it for cgroup v1", LinuxLibC.error("statfs " + root));
            return false;
        }
        long type = ByteBuffer.wrap(statfs).order(ByteOrder.nativeOrder()).getLong(0);
        return type == LinuxLibC.CGROUP2_SUPER_MAGIC;
    }
}
