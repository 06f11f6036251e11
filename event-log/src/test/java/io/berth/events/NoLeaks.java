package io.berth.events;

import static org.junit.jupiter.api.Assertions.fail;

import io.berth.events.journal.internal.ChronicleJournal;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a journal open or a thread running that it started. Threads get a short
 * grace period to finish, as closing is allowed to be asynchronous.
 */
public final class NoLeaks implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NoLeaks.class);

    @Override
    public void beforeEach(ExtensionContext ctx) {
        ctx.getStore(NS).put("threads", liveThreads());
        ctx.getStore(NS).put("journals", ChronicleJournal.openCount());
    }

    @Override
    public void afterEach(ExtensionContext ctx) throws InterruptedException {
        int journalsBefore = ctx.getStore(NS).get("journals", Integer.class);
        if (ChronicleJournal.openCount() != journalsBefore) {
            fail("test left " + (ChronicleJournal.openCount() - journalsBefore) + " journal(s) open");
        }
        @SuppressWarnings("unchecked")
        Set<Thread> before = ctx.getStore(NS).get("threads", Set.class);
        Set<Thread> leaked = Set.of();
        for (int i = 0; i < 50; i++) {
            leaked = liveThreads().stream().filter(t -> !before.contains(t) && !ignorable(t))
                    .collect(Collectors.toSet());
            if (leaked.isEmpty()) {
                return;
            }
            Thread.sleep(20);
        }
        fail("test leaked threads: " + leaked.stream().map(Thread::getName).sorted().toList());
    }

    private static Set<Thread> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toSet());
    }

    /**
     * JVM-wide helpers started once on first use, not per test. {@code Cleaner-N} is jffi's cleaner,
     * which Chronicle's resource releaser starts when jnr is on the class path (in the daemon's tests).
     */
    private static boolean ignorable(Thread t) {
        String n = t.getName();
        return n.startsWith("ForkJoinPool.commonPool") || n.equals("process reaper")
                || n.startsWith("Attach Listener") || n.contains("disk~space~checker")
                || n.startsWith("Common-Cleaner") || n.contains("background~resource~releaser")
                || n.startsWith("Cleaner-");
    }
}
