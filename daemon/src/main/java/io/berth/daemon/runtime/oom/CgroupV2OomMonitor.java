package io.berth.daemon.runtime.oom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link OomMonitor} for cgroup v2. Each container's {@code memory.events} is watched for
 * {@code IN_MODIFY} through one inotify instance (kernfs reports the file's changes that way, after
 * the counter has risen); on a change the monitor re-reads {@code oom_kill} from it. One instance
 * serves all containers because the kernel allows a user only 128 instances by default, but thousands
 * of watches.
 */
final class CgroupV2OomMonitor extends CgroupOomMonitor<CgroupV2OomMonitor.InotifyWatch> {
    private static final Logger LOG = LoggerFactory.getLogger(CgroupV2OomMonitor.class);
    private static final LinuxLibC C = LinuxLibC.INSTANCE;
    private static final long INOTIFY = 1;
    /** struct inotify_event: int wd; u32 mask, cookie, len; char name[len]. */
    private static final int EVENT_HEADER = 16;

    static final class InotifyWatch extends Watch {
        final int wd;

        InotifyWatch(String id, Path dir, int wd) {
            super(id, dir);
            this.wd = wd;
        }
    }

    private final int inotifyFd;
    private final Map<Integer, InotifyWatch> byWd = new HashMap<>();
    private final byte[] events = new byte[4096];

    /**
     * @param cgroups the directory holding the containers' cgroups, such as {@code /sys/fs/cgroup/berth}
     * @throws IllegalStateException when the kernel refuses an inotify instance
     */
    CgroupV2OomMonitor(Path cgroups) {
        super(cgroups, "memory.events");
        inotifyFd = C.inotify_init1(LinuxLibC.IN_CLOEXEC | LinuxLibC.IN_NONBLOCK);
        try {
            if (inotifyFd < 0) {
                throw new IOException(LinuxLibC.error("inotify_init1"));
            }
            loop.add(inotifyFd, INOTIFY);
        } catch (IOException e) {
            EpollLoop.closeQuietly(inotifyFd);
            loop.close();
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    InotifyWatch register(String id, Path dir) throws IOException {
        Path events = dir.resolve("memory.events");
        int wd = C.inotify_add_watch(inotifyFd, events.toString(), LinuxLibC.IN_MODIFY);
        if (wd < 0) {
            throw new IOException(LinuxLibC.error("inotify_add_watch " + events));
        }
        InotifyWatch watch = new InotifyWatch(id, dir, wd);
        byWd.put(wd, watch);
        return watch;
    }

    @Override
    void release(InotifyWatch watch) {
        if (byWd.remove(watch.wd, watch)) {
            // Fails when the kernel dropped the watch with the file; nothing is left to undo then.
            C.inotify_rm_watch(inotifyFd, watch.wd);
        }
    }

    @Override
    void readable(long token) {
        Set<InotifyWatch> changed = new LinkedHashSet<>();
        ByteBuffer view = ByteBuffer.wrap(events).order(ByteOrder.nativeOrder());
        long n;
        while ((n = C.read(inotifyFd, events, events.length)) > 0) {
            for (int at = 0; at + EVENT_HEADER <= n; at += EVENT_HEADER + view.getInt(at + 12)) {
                int wd = view.getInt(at);
                int mask = view.getInt(at + 4);
                if ((mask & LinuxLibC.IN_Q_OVERFLOW) != 0) {
                    changed.addAll(byWd.values()); // events were lost: look at every cgroup
                }
                InotifyWatch watch = byWd.get(wd);
                if (watch == null) {
                    continue;
                }
                if ((mask & LinuxLibC.IN_IGNORED) != 0) {
                    changed.remove(watch);
                    forget(watch); // the file went away, and the kernel's watch with it
                } else {
                    changed.add(watch);
                }
            }
        }
        if (n < 0 && LinuxLibC.errno() != LinuxLibC.EAGAIN) {
            LOG.warn("{}", LinuxLibC.error("read inotify"));
        }
        for (InotifyWatch watch : List.copyOf(changed)) {
            if (byWd.get(watch.wd) == watch) {
                check(watch);
            }
        }
    }

    @Override
    void closeOwn() {
        EpollLoop.closeQuietly(inotifyFd);
    }
}
