package io.berth.scripting.graaljs;

import io.berth.scripting.PolicyChange;
import io.berth.scripting.PolicyEngine;
import io.berth.scripting.PolicyLimits;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.ResourceLimits;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PolicyEngine} on GraalJS (community edition), sandboxed with {@link SandboxPolicy#CONSTRAINED}.
 *
 * <p>One {@link Engine} is shared, so a policy's code is parsed once. Each version of a policy has
 * its own contexts (at most one per evaluation thread), in which the top level has run once; a call
 * borrows one, resets its statement count and runs the hook under the {@link Watchdog}. A context
 * that overran a limit, broke or allocated {@link PolicyLimits#contextAllocation()} over its calls is
 * closed and the next call opens a fresh one. Scripts run only on this engine's evaluation threads;
 * the caller waits for the result at most {@code 2 x loadTimeout + callTimeout + 1 s} (a context to
 * set up, a first call, the queue), so it is never held by a script that ignores cancellation.
 *
 * <p>What a script can reach: the ECMAScript built-ins and {@code console} (output discarded); no
 * host classes or objects (the input is passed as proxies of plain values), no {@code load},
 * {@code eval} or {@code Function}, no {@code Polyglot}, no I/O, threads, processes, environment or
 * native access. {@code Date} works in UTC; {@code Math.random} is unseeded.
 */
public final class GraalPolicyEngine implements PolicyEngine {

    private static final Logger log = LoggerFactory.getLogger(GraalPolicyEngine.class);

    private static final int MAX_SOURCE_CHARS = 1 << 20;
    private static final int QUEUE = 1024;
    /** The evaluation threads' stack, whatever -Xss the daemon runs with (berthd uses 512k). */
    private static final long STACK_BYTES = 2L << 20;
    private static final Duration SLACK = Duration.ofSeconds(1);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Pattern SYNTAX_PREFIX = Pattern.compile("^(\\w*Error: )?\\S+?:\\d+:\\d+ ");
    /** Exercises what policies commonly use, so that their first calls do not pay for it. */
    private static final String WARM_UP = """
            function onExit(ctx) {
              let dies = 0;
              for (const t of ctx.history) if (t.action === 'die' && ctx.finishedAt - t.time < 60000) dies++;
              const recent = ctx.history.filter(t => t.action === 'die').map(t => t.time).slice(-5);
              const m = /^(\\d{1,2})-(\\d{1,2})$/.exec(ctx.labels['window'] || '02-04');
              const hour = new Date(ctx.finishedAt).getUTCHours() + new Date().getTimezoneOffset();
              const n = Number(ctx.labels['max']) || parseInt('5', 10);
              const text = JSON.stringify({dies, recent, hour, id: ctx.id.substring(0, 4)}) + `${ctx.name}`.toUpperCase();
              const keys = Object.keys(ctx.labels).sort().join(',');
              if (dies > n || !m || text.length === 0 || keys === 'x' || Number.isInteger(hour / 7)) return {action: 'stop'};
              try {
                if (ctx.exitCode < 0) throw new Error('negative ' + ctx.exitCode);
              } catch (e) {
                return {action: 'default'};
              }
              const ceiling = Math.min(100 * Math.pow(2, ctx.restartCount), 60000);
              return {action: 'restart', delayMs: Math.floor(ceiling / 2 + Math.random() * ceiling / 2)};
            }
            """;

    private final PolicyLimits limits;
    private final Engine engine;
    private final Watchdog watchdog = new Watchdog();
    private final ThreadPoolExecutor workers;
    private final ConcurrentMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final Object loads = new Object();
    private volatile boolean closed;

    /** A policy's active version (null if none) and its latest version's rejection (null if none). */
    private record Entry(Version active, Rejection rejection) {}

    /** Work on an evaluation thread. */
    private interface Work<T> {
        T run() throws ScriptFailure;
    }

    /** Creates the engine and warms it up: about half a second, on the calling thread. */
    public GraalPolicyEngine(PolicyLimits limits) {
        this.limits = limits;
        this.engine = Engine.newBuilder("js")
                .sandbox(SandboxPolicy.CONSTRAINED)
                .out(OutputStream.nullOutputStream())
                .err(OutputStream.nullOutputStream())
                .option("engine.WarnInterpreterOnly", "false")
                .build();
        this.workers = new ThreadPoolExecutor(limits.threads(), limits.threads(), 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE),
                Thread.ofPlatform().name("berth-policy-", 1).daemon().stackSize(STACK_BYTES).factory());
        warmUp();
    }

    @Override
    public Outcome evaluate(String policy, Hook hook, Input input) {
        String summary = input.summary();
        Entry entry = entries.get(policy);
        if (entry == null || entry.active() == null) {
            String why = entry == null ? "no policy named " + policy + " is loaded"
                    : "policy " + policy + " has no active version: " + entry.rejection();
            return new Outcome(policy, "", hook, summary, DecisionReader.DEFAULT, why);
        }
        Version version = entry.active();
        if (!version.hooks.contains(hook)) {
            return new Outcome(policy, version.hash, hook, summary, DecisionReader.DEFAULT, null);
        }
        try {
            Decision d = onWorker(() -> call(version, hook, input), callerWait());
            return new Outcome(policy, version.hash, hook, summary, d, null);
        } catch (ScriptFailure f) {
            String where = f.line() > 0 ? " at " + version.source.getName() + ":" + f.line() + ":" + f.column() : "";
            return new Outcome(policy, version.hash, hook, summary, DecisionReader.DEFAULT,
                    hook.function() + " " + f.getMessage() + where);
        }
    }

    @Override
    public List<PolicyInfo> policies() {
        return entries.entrySet().stream()
                .sorted(Map.Entry.comparingByKey(Comparator.naturalOrder()))
                .map(e -> info(e.getKey(), e.getValue()))
                .toList();
    }

    @Override
    public Optional<PolicyInfo> policy(String name) {
        Entry e = entries.get(name);
        return e == null ? Optional.empty() : Optional.of(info(name, e));
    }

    @Override
    public boolean hasHook(String policy, Hook hook) {
        Entry e = entries.get(policy);
        return e != null && e.active() != null && e.active().hooks.contains(hook);
    }

    @Override
    public PolicyChange load(String name, String file, String source) {
        String hash = PolicyEngine.versionHash(source);
        synchronized (loads) {
            if (!NAME.matcher(name).matches()) {
                return new PolicyChange.Rejected(name, file, 0, 0,
                        "invalid policy name: use letters, digits, '.', '_' and '-' (at most 128)", null);
            }
            Entry old = entries.get(name);
            Version kept = old == null ? null : old.active();
            if (kept != null && kept.hash.equals(hash)) {
                entries.put(name, new Entry(kept, null));
                return new PolicyChange.Loaded(name, hash, kept.file, kept.hooks);
            }
            Version version = new Version(name, file, hash, Source.newBuilder("js", source, name + ".js").buildLiteral());
            try {
                if (source.length() > MAX_SOURCE_CHARS) {
                    throw new ScriptFailure("the script is longer than " + MAX_SOURCE_CHARS + " characters", 0, 0);
                }
                if (closed) {
                    throw new ScriptFailure("the policy engine is closed");
                }
                version.hooks = onWorker(() -> {
                    Script script = open(version);
                    if (script.functions.isEmpty()) {
                        script.close();
                        throw new ScriptFailure("defines none of onExit, onOom, onStartFailure", 1, 1);
                    }
                    version.giveBack(script);
                    return Collections.unmodifiableSet(EnumSet.copyOf(script.functions.keySet()));
                }, limits.loadTimeout().plus(SLACK));
            } catch (ScriptFailure f) {
                version.retire();
                entries.put(name, new Entry(kept, new Rejection(file, f.line(), f.column(), f.getMessage(), hash)));
                return new PolicyChange.Rejected(name, file, f.line(), f.column(), f.getMessage(),
                        kept == null ? null : kept.hash);
            }
            entries.put(name, new Entry(version, null));
            if (kept != null) {
                kept.retire();
            }
            return new PolicyChange.Loaded(name, hash, file, version.hooks);
        }
    }

    @Override
    public Optional<PolicyChange.Removed> remove(String name) {
        synchronized (loads) {
            Entry e = entries.remove(name);
            if (e == null) {
                return Optional.empty();
            }
            if (e.active() != null) {
                e.active().retire();
            }
            return Optional.of(new PolicyChange.Removed(name, fileOf(e)));
        }
    }

    @Override
    public void close() {
        closed = true;
        workers.shutdown();
        try {
            if (!workers.awaitTermination(limits.callTimeout().plus(SLACK).toMillis(), TimeUnit.MILLISECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
        synchronized (loads) {
            entries.values().forEach(e -> {
                if (e.active() != null) {
                    e.active().retire();
                }
            });
            entries.clear();
        }
        watchdog.close();
        try {
            engine.close(true);
        } catch (RuntimeException e) {
            log.debug("closing the policy engine: {}", e.toString());
        }
    }

    // --- scripts -------------------------------------------------------------------------------

    /** Runs on an evaluation thread: the hook of one version, in a borrowed context. */
    private Decision call(Version version, Hook hook, Input input) throws ScriptFailure {
        Script script = version.borrow();
        Value function = script.functions.get(hook);
        if (function == null) {
            // This context's top level defined other hooks than the validated run: nothing to call.
            version.giveBack(script);
            return DecisionReader.DEFAULT;
        }
        // The first call of a hook of a version parses the function's body and sets up what it uses
        // (measured 4-15 ms after the warm-up, 20-100 ms without): it gets the top level's time.
        Duration timeout = version.called.add(hook) ? limits.loadTimeout() : limits.callTimeout();
        try {
            return watched(script, timeout, version.source, "",
                    () -> DecisionReader.read(function.execute(ScriptInput.of(input)), hook, limits.maxDelayMs()));
        } finally {
            if (!script.broken) {
                version.giveBack(script);
            }
        }
    }

    /** Runs on an evaluation thread: a new context with the version's top level run in it. */
    private Script open(Version version) throws ScriptFailure {
        Script script = new Script(newContext());
        try {
            String notFunction = watched(script, limits.loadTimeout(), version.source, "top level ", () -> {
                script.context.eval(version.source);
                Value globals = script.context.getBindings("js");
                for (Hook hook : Hook.values()) {
                    Value f = globals.getMember(hook.function());
                    if (f != null && !f.isNull()) {
                        if (!f.canExecute()) {
                            return hook.function();
                        }
                        script.functions.put(hook, f);
                    }
                }
                return null;
            });
            if (notFunction != null) {
                int[] at = locate(version.source, notFunction);
                throw new ScriptFailure(notFunction + " is defined but is not a function", at[0], at[1]);
            }
            return script;
        } catch (ScriptFailure f) {
            if (!script.broken) {
                script.close();
            }
            throw f;
        }
    }

    /**
     * Runs {@code work} in the script's context under the watchdog. A context the watchdog cancelled
     * is closed by it; one that broke otherwise is closed here; both are marked broken. A script
     * that threw or returned garbage keeps its context. Reasons from the engine start with
     * {@code stage}, syntax errors aside.
     */
    private <T> T watched(Script script, Duration timeout, Source source, String stage, Work<T> work)
            throws ScriptFailure {
        Watchdog.Run run = watchdog.start(script.context, timeout, limits.callAllocation());
        T result = null;
        ScriptFailure failure = null;
        boolean fatal = false;
        try {
            script.context.resetLimits();
            result = work.run();
        } catch (ScriptFailure f) {
            failure = f;
        } catch (PolyglotException e) {
            failure = describe(e, source);
            failure = e.isSyntaxError() ? failure : failure.prefixed(stage);
            fatal = e.isCancelled() || e.isResourceExhausted() || e.isInterrupted() || e.isExit() || e.isInternalError();
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            log.warn("policy {}: the script engine failed", source.getName(), e);
            failure = new ScriptFailure(stage + "failed inside the script engine: " + e);
            fatal = true;
        }
        boolean ours = run.finish();
        script.allocated += run.allocated();
        if (!ours) {
            script.broken = true;
            throw failure == null ? new ScriptFailure(stage + run.tripped())
                    : new ScriptFailure(stage + run.tripped(), failure.line(), failure.column());
        }
        if (fatal) {
            script.broken = true;
            script.close();
        }
        if (failure != null) {
            throw failure;
        }
        return result;
    }

    private ScriptFailure describe(PolyglotException e, Source source) {
        int[] at = location(e, source);
        String message = e.getMessage() == null ? "undefined" : e.getMessage().lines().findFirst().orElse("");
        String what;
        if (e.isResourceExhausted()) {
            what = message.startsWith("Statement count limit") ? "exceeded the statement limit of " + limits.statementLimit()
                    : "ran out of memory (" + message + ")";
        } else if (e.isSyntaxError()) {
            Matcher m = SYNTAX_PREFIX.matcher(message);
            what = m.find() ? m.replaceFirst(m.group(1) == null ? "" : Matcher.quoteReplacement(m.group(1))) : message;
        } else if (e.isCancelled()) {
            what = "was cancelled";
        } else if (e.isInterrupted()) {
            what = "was interrupted";
        } else if (e.isExit()) {
            what = "exited";
        } else if (e.isInternalError()) {
            log.warn("policy {}: internal error of the script engine", source.getName(), e);
            what = "failed inside the script engine: " + message;
        } else {
            what = "threw " + message;
        }
        return new ScriptFailure(what, at[0], at[1]);
    }

    /** Where in {@code source} the exception arose: its own location, else its innermost frame in the source. */
    private static int[] location(PolyglotException e, Source source) {
        SourceSection at = e.getSourceLocation();
        if (!within(at, source)) {
            at = null;
            for (PolyglotException.StackFrame frame : e.getPolyglotStackTrace()) {
                if (frame.isGuestFrame() && within(frame.getSourceLocation(), source)) {
                    at = frame.getSourceLocation();
                    break;
                }
            }
        }
        return at == null ? new int[] {0, 0} : new int[] {at.getStartLine(), at.getStartColumn()};
    }

    private static boolean within(SourceSection s, Source source) {
        return s != null && s.isAvailable() && s.getSource().getName().equals(source.getName());
    }

    /** The first place {@code identifier} appears in the source as a whole word; 1:1 if nowhere. */
    private static int[] locate(Source source, String identifier) {
        Matcher m = Pattern.compile("(?<![\\w$])" + Pattern.quote(identifier) + "(?![\\w$])").matcher(source.getCharacters());
        return m.find() ? new int[] {source.getLineNumber(m.start()), source.getColumnNumber(m.start())} : new int[] {1, 1};
    }

    private Context newContext() {
        return Context.newBuilder("js")
                .engine(engine)
                .sandbox(SandboxPolicy.CONSTRAINED)
                .allowHostAccess(HostAccess.CONSTRAINED)
                // No allowHostClassLookup at all: even a predicate that denies everything installs
                // the Java and package globals.
                .allowHostClassLoading(false)
                .allowPolyglotAccess(PolyglotAccess.NONE)
                .allowIO(IOAccess.NONE)
                .allowCreateThread(false)
                .allowCreateProcess(false)
                .allowNativeAccess(false)
                .allowEnvironmentAccess(EnvironmentAccess.NONE)
                .timeZone(ZoneOffset.UTC)
                .in(InputStream.nullInputStream())
                .out(OutputStream.nullOutputStream())
                .err(OutputStream.nullOutputStream())
                .option("js.load", "false")
                .option("js.print", "false")
                .option("js.graal-builtin", "false")
                .option("js.allow-eval", "false")
                .resourceLimits(ResourceLimits.newBuilder().statementLimit(limits.statementLimit(), null).build())
                .build();
    }

    /** The longest a caller of evaluate waits: a context set up and a first call, plus slack for the queue. */
    private Duration callerWait() {
        return limits.loadTimeout().multipliedBy(2).plus(limits.callTimeout()).plus(SLACK);
    }

    private <T> T onWorker(Work<T> work, Duration wait) throws ScriptFailure {
        if (closed) {
            throw new ScriptFailure("was not run: the policy engine is closed");
        }
        Future<T> future;
        try {
            future = workers.submit((Callable<T>) work::run);
        } catch (RejectedExecutionException e) {
            throw new ScriptFailure("was not run: " + (closed ? "the policy engine is closed"
                    : QUEUE + " evaluations are already waiting"));
        }
        try {
            return future.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ScriptFailure f) {
                throw f;
            }
            log.warn("policy evaluation failed", e.getCause());
            throw new ScriptFailure("failed inside the script engine: " + e.getCause());
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new ScriptFailure("gave no result within " + wait.toMillis() + " ms (evaluation threads busy or stuck)");
        } catch (CancellationException e) {
            throw new ScriptFailure("was not run: the policy engine is closed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(false);
            throw new ScriptFailure("was abandoned: the waiting thread was interrupted");
        }
    }

    private void warmUp() {
        Source source = Source.newBuilder("js", WARM_UP, "berth-warm-up.js").buildLiteral();
        try (Context context = newContext()) {
            context.eval(source);
            Value f = context.getBindings("js").getMember("onExit");
            for (int i = 0; i < 300; i++) {
                List<Transition> history = new ArrayList<>();
                for (int k = 0; k <= i % 12; k++) {
                    history.add(new Transition("start", 1_000L * k, null));
                    history.add(new Transition("die", 1_000L * k + 500, k - 1));
                }
                Input sample = new Input("warm-up-" + i, "warm-up", "busybox", Map.of("tier", "web", "max", "" + i % 9),
                        i % 5 - 1, i % 7 == 0, i % 20, 1_000, 1_000L * i, 0, history);
                context.resetLimits();
                DecisionReader.read(f.execute(ScriptInput.of(sample)), Hook.ON_EXIT, limits.maxDelayMs());
            }
        } catch (ScriptFailure | RuntimeException e) {
            log.warn("policy engine warm-up failed", e);
        }
    }

    private static PolicyInfo info(String name, Entry e) {
        Version v = e.active();
        return new PolicyInfo(name, fileOf(e), v == null ? null : v.hash, v == null ? Set.of() : v.hooks, e.rejection());
    }

    private static String fileOf(Entry e) {
        return e.active() != null ? e.active().file : e.rejection() != null ? e.rejection().file() : "";
    }

    /** One version of a policy, with its idle contexts. */
    private final class Version {
        final String name;
        final String file;
        final String hash;
        final Source source;
        final Deque<Script> idle = new ConcurrentLinkedDeque<>();
        final Set<Hook> called = ConcurrentHashMap.newKeySet();
        volatile Set<Hook> hooks = Set.of();
        volatile boolean retired;

        Version(String name, String file, String hash, Source source) {
            this.name = name;
            this.file = file;
            this.hash = hash;
            this.source = source;
        }

        Script borrow() throws ScriptFailure {
            Script s = idle.pollFirst();
            return s != null ? s : open(this);
        }

        void giveBack(Script s) {
            if (retired || s.allocated > limits.contextAllocation()) {
                s.close();
                return;
            }
            idle.addFirst(s);
            if (retired) {
                drain();
            }
        }

        void retire() {
            retired = true;
            drain();
        }

        private void drain() {
            for (Script s; (s = idle.pollFirst()) != null; ) {
                s.close();
            }
        }

        @Override
        public String toString() {
            return name + "@" + hash.substring(0, 12);
        }
    }

    /** A context in which a version's top level has run, and the hook functions it defined. */
    private static final class Script {
        final Context context;
        final Map<Hook, Value> functions = new EnumMap<>(Hook.class);
        long allocated;
        boolean broken;

        Script(Context context) {
            this.context = context;
        }

        void close() {
            try {
                context.close();
            } catch (RuntimeException e) {
                // A cancelled or exhausted context reports it again when closed.
            }
        }
    }
}
