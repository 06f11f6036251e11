package io.berth.daemon.policy;

import io.berth.daemon.config.DaemonConfig;
import io.berth.daemon.engine.Engine;
import io.berth.errors.EngineException;
import io.berth.events.ContainerSpec;
import io.berth.events.Event;
import io.berth.events.PolicyEvent;
import io.berth.events.state.Container;
import io.berth.scripting.PolicyChange;
import io.berth.scripting.PolicyDirectory;
import io.berth.scripting.PolicyEngine;
import io.berth.scripting.PolicyEngine.Hook;
import io.berth.scripting.PolicyEngine.Input;
import io.berth.scripting.PolicyEngine.Outcome;
import io.berth.scripting.PolicyLimits;
import io.vertx.core.Future;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operators' scripted transition policies as the engine consults them: which policy a container
 * follows (its {@code berth.policy} label, else daemon.json's {@code default-policy}), what it
 * decides, and the journal entries that record the decision before anything acts on it. The
 * GraalJS engine is made in the background once the daemon serves (it takes most of a second), and
 * only when there is a policy directory; evaluations wait for it, off the event loop.
 */
public final class PolicyService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyService.class);
    /** The label a container names its policy with. */
    public static final String LABEL = "berth.policy";

    private final Engine engine;
    private final DaemonConfig.Policies config;
    private final TransitionHistory history;
    private final CompletableFuture<PolicyEngine> scripts = new CompletableFuture<>();
    private volatile PolicyDirectory directory;
    private final DecisionObserver observer;

    /** Told of each evaluation: the policy, the hook's function, the outcome ({@code restart}, {@code failed}, ...), its time. */
    @FunctionalInterface
    public interface DecisionObserver {
        void observe(String policy, String hook, String outcome, long nanos);
    }

    public PolicyService(Engine engine, DaemonConfig.Policies config, TransitionHistory history,
                         DecisionObserver observer) {
        this.engine = engine;
        this.config = config;
        this.history = history;
        this.observer = observer;
    }

    /** Loads the policy directory in the background; without one, no container has a policy. */
    public void start() {
        if (!Files.isDirectory(config.dir())) {
            LOG.info("no policy directory {}: transition policies are off", config.dir());
            scripts.complete(null);
            return;
        }
        Thread.ofPlatform().daemon().name("berth-policy-start").start(() -> {
            try {
                PolicyEngine pe = PolicyEngine.create(PolicyLimits.DEFAULT.withCallTimeout(config.callTimeout()));
                PolicyDirectory dir = new PolicyDirectory(config.dir(), pe, this::changed);
                dir.start();
                directory = dir;
                scripts.complete(pe);
            } catch (Exception | Error e) {
                LOG.error("transition policies are off: {}", e.toString());
                scripts.complete(null);
            }
        });
    }

    /** A policy file was loaded, rejected or removed: logged, and a rejection journaled. */
    private void changed(PolicyChange change) {
        switch (change) {
            case PolicyChange.Loaded l -> LOG.info("policy {} loaded from {} (sha256 {}, hooks {})", l.name(), l.file(),
                    l.versionHash().substring(0, 12), l.hooks());
            case PolicyChange.Removed r -> LOG.info("policy {} removed ({})", r.name(), r.file());
            case PolicyChange.Rejected r -> {
                LOG.warn("policy {} rejected: {}:{}:{}: {}{}", r.name(), r.file(), r.line(), r.column(), r.reason(),
                        r.keptVersionHash() == null ? "" : " (the previous version stays active)");
                engine.context().runOnContext(v -> engine.commit(new PolicyEvent.Rejected(r.name(), r.file(), r.line(),
                        r.column(), r.reason())).onFailure(err -> LOG.warn("journaling a rejection: {}", err.toString())));
            }
        }
    }

    /** The policy {@code c} follows, or null. */
    public String policyOf(Container c) {
        String named = c.spec().labels() == null ? null : c.spec().labels().get(LABEL);
        if (named != null && !named.isEmpty()) {
            return named;
        }
        return config.defaultPolicy().isEmpty() ? null : config.defaultPolicy();
    }

    /** The policy engine, waited for (null when policies are off). Blocks: call off the event loop. */
    private PolicyEngine scripts() throws Exception {
        return scripts.get(30, TimeUnit.SECONDS);
    }

    /**
     * What {@code c}'s policy decides at the end of its run (or at a failed restart, for
     * {@link Hook#ON_START_FAILURE}); null when it has no policy or its policy has no such hook. An
     * OOM-killed run goes to {@code onOom} when the policy has one, else to {@code onExit}.
     */
    public Future<Outcome> decide(Container c, Hook hook, int exitCode, long finishedNanos) {
        String policy = policyOf(c);
        if (policy == null) {
            return Future.succeededFuture();
        }
        Input input = new Input(c.id(), c.name(), c.spec().image(), c.spec().labels() == null ? Map.of()
                : c.spec().labels(), exitCode, c.oomKilled(), c.restartCount(), c.startedNanos() / 1_000_000,
                finishedNanos / 1_000_000, c.spec().resources().memory(), history.of(c.id()));
        return engine.blocking(() -> {
            PolicyEngine pe = scripts();
            if (pe == null) {
                return null;
            }
            Hook chosen = hook == Hook.ON_EXIT && c.oomKilled() && pe.hasHook(policy, Hook.ON_OOM) ? Hook.ON_OOM : hook;
            if (pe.policy(policy).isPresent() && !pe.hasHook(policy, chosen)) {
                return null;
            }
            long t0 = System.nanoTime();
            Outcome o = pe.evaluate(policy, chosen, input);
            observer.observe(policy, chosen.function(), outcomeWord(o), System.nanoTime() - t0);
            return o;
        });
    }

    private static String outcomeWord(Outcome o) {
        if (o.failed()) {
            return "failed";
        }
        return switch (o.decision()) {
            case PolicyEngine.Decision.Restart r -> "restart";
            case PolicyEngine.Decision.Stop s -> "stop";
            case PolicyEngine.Decision.Default d -> "default";
        };
    }

    /** The journal entry that records an outcome: the decision, or the failure. */
    public static Event journalEntry(String containerId, Outcome o) {
        if (o.failed()) {
            return new PolicyEvent.Failed(o.policy(), o.versionHash(), containerId, o.hook().function(), o.failure());
        }
        long delay = o.decision() instanceof PolicyEngine.Decision.Restart r ? r.delayMs() : 0;
        long memory = o.decision() instanceof PolicyEngine.Decision.Restart r ? r.memoryBytes() : 0;
        return new PolicyEvent.Decided(o.policy(), o.versionHash(), containerId, o.hook().function(),
                o.inputsSummary(), o.decision().action(), delay, memory);
    }

    /**
     * The resources after an {@code onOom} decision's new memory limit, capped by daemon.json's
     * {@code policy-max-memory}; a swap limit below it is raised to it.
     */
    public ContainerSpec.Resources withMemory(ContainerSpec.Resources r, long memory) {
        long m = config.maxMemory() > 0 ? Math.min(memory, config.maxMemory()) : memory;
        long swap = r.memorySwap() > 0 ? Math.max(r.memorySwap(), m) : r.memorySwap();
        return new ContainerSpec.Resources(m, swap, Math.min(r.memoryReservation(), m), r.oomKillDisable(), r.nanoCpus(),
                r.cpuShares(), r.cpuPeriod(), r.cpuQuota(), r.cpusetCpus(), r.pidsLimit(), r.ulimits());
    }

    /** The loaded policies (empty while the engine starts, or when policies are off). */
    public Future<List<PolicyEngine.PolicyInfo>> list() {
        return engine.blocking(() -> {
            PolicyEngine pe = scripts();
            return pe == null ? List.of() : pe.policies();
        });
    }

    /** Evaluates a policy on a context given by a client, acting on nothing and journaling nothing. */
    public Future<Outcome> dryRun(String policy, Hook hook, Input input) {
        return engine.blocking(() -> {
            PolicyEngine pe = scripts();
            if (pe == null) {
                throw EngineException.notFound("transition policies are off: no policy directory "
                        + config.dir());
            }
            if (pe.policy(policy).isEmpty()) {
                throw EngineException.notFound("No such policy: " + policy);
            }
            return pe.evaluate(policy, hook, input);
        });
    }

    @Override
    public void close() {
        PolicyDirectory d = directory;
        if (d != null) {
            d.close();
        }
        PolicyEngine pe = scripts.getNow(null);
        if (pe != null) {
            pe.close();
        }
    }
}
