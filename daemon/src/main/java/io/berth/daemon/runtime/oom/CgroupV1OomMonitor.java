package io.berth.daemon.runtime.oom;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@link OomMonitor} for cgroup v1's memory controller. Per container an eventfd is registered for
 * OOM events by writing {@code "<eventfd> <fd of memory.oom_control>"} to the cgroup's
 * {@code cgroup.event_control}; the kernel signals it when the cgroup runs out of memory, and also when
 * the cgroup is removed, after which {@code cgroup.event_control} is gone. On a signal the monitor
 * re-reads {@code oom_kill} from {@code memory.oom_control}.
 *
 * <p>The kernel signals as the cgroup enters OOM, before the kill raises {@code oom_kill}, and also for
 * an OOM that ends without a kill. A signal that finds no rise is therefore followed by re-reads after
 * {@value #FIRST_RECHECK_MILLIS} ms, doubling to {@value #LAST_RECHECK_MILLIS} ms.
 */
final class CgroupV1OomMonitor extends CgroupOomMonitor<CgroupV1OomMonitor.EventWatch> {
    static final int FIRST_RECHECK_MILLIS = 1;
    static final int LAST_RECHECK_MILLIS = 640;
    private static final LinuxLibC C = LinuxLibC.INSTANCE;

    static final class EventWatch extends Watch {
        final int eventFd;
        final long token;
        /** System.nanoTime() of the next re-read; 0 for none. */
        long recheckAt;
        int recheckMillis;

        EventWatch(String id, Path dir, int eventFd, long token) {
            super(id, dir);
            this.eventFd = eventFd;
            this.token = token;
        }
    }

    private final Map<Long, EventWatch> byToken = new HashMap<>();
    private long lastToken;

    /**
     * @param memoryCgroups the v1 memory hierarchy's directory holding the containers' cgroups, such
     *                      as {@code /sys/fs/cgroup/memory/berth}
     */
    CgroupV1OomMonitor(Path memoryCgroups) {
        super(memoryCgroups, "memory.oom_control");
    }

    @Override
    EventWatch register(String id, Path dir) throws IOException {
        int eventFd = C.eventfd(0, LinuxLibC.EFD_CLOEXEC | LinuxLibC.EFD_NONBLOCK);
        if (eventFd < 0) {
            throw new IOException(LinuxLibC.error("eventfd"));
        }
        try {
            Path oomControl = dir.resolve("memory.oom_control");
            int oomControlFd = C.open(oomControl.toString(), LinuxLibC.O_RDONLY | LinuxLibC.O_CLOEXEC, 0);
            if (oomControlFd < 0) {
                throw new IOException(LinuxLibC.error("open " + oomControl));
            }
            try {
                // Neither create nor truncate: this is a kernel control file. One write, one registration.
                Files.write(dir.resolve("cgroup.event_control"), (eventFd + " " + oomControlFd).getBytes(US_ASCII),
                        StandardOpenOption.WRITE);
            } finally {
                // The kernel keeps the eventfd, not this file: it only names the cgroup and the event.
                EpollLoop.closeQuietly(oomControlFd);
            }
            EventWatch watch = new EventWatch(id, dir, eventFd, ++lastToken);
            loop.add(eventFd, watch.token);
            byToken.put(watch.token, watch);
            return watch;
        } catch (IOException | RuntimeException e) {
            EpollLoop.closeQuietly(eventFd); // closing it also ends the kernel's registration
            throw e;
        }
    }

    @Override
    void release(EventWatch watch) {
        byToken.remove(watch.token);
        loop.remove(watch.eventFd);
        EpollLoop.closeQuietly(watch.eventFd);
    }

    @Override
    void readable(long token) {
        EventWatch watch = byToken.get(token);
        if (watch == null) {
            return; // released while the loop held its event
        }
        EpollLoop.drain(watch.eventFd);
        if (!Files.exists(watch.dir.resolve("cgroup.event_control"))) {
            forget(watch); // the signal of the cgroup's removal
            return;
        }
        if (check(watch)) {
            watch.recheckAt = 0;
        } else if (byToken.containsKey(token)) {
            recheck(watch, FIRST_RECHECK_MILLIS);
        }
    }

    @Override
    int due() {
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        for (EventWatch watch : List.copyOf(byToken.values())) { // a copy: check() may forget one
            if (watch.recheckAt == 0) {
                continue;
            }
            if (watch.recheckAt - now <= 0) {
                if (check(watch) || watch.recheckMillis >= LAST_RECHECK_MILLIS || !byToken.containsKey(watch.token)) {
                    watch.recheckAt = 0;
                    continue;
                }
                recheck(watch, watch.recheckMillis * 2);
            }
            next = Math.min(next, watch.recheckAt - now);
        }
        return next == Long.MAX_VALUE ? -1 : (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(next + 999_999));
    }

    private static void recheck(EventWatch watch, int millis) {
        watch.recheckMillis = millis;
        watch.recheckAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        if (watch.recheckAt == 0) {
            watch.recheckAt = 1; // 0 means none
        }
    }
}
