package io.berth.scripting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.scripting.PolicyEngine.Decision;
import io.berth.scripting.PolicyEngine.Hook;
import io.berth.scripting.PolicyEngine.Input;
import io.berth.scripting.PolicyEngine.Outcome;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Attempts to leave the sandbox or exhaust the host, each written as an operator's policy. Every
 * attempt must fail cleanly (a failed outcome, Docker's default decision), and the same policy must
 * answer normally on the next call.
 */
class SandboxTest {

    private static PolicyEngine engine;

    @BeforeAll
    static void create() {
        engine = PolicyEngine.create(PolicyLimits.DEFAULT);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            Java.type                | Java.type('java.lang.Runtime').getRuntime().exec('id')   | ReferenceError: Java is not defined
            Packages                 | Packages.java.lang.System.exit(1)                         | ReferenceError: Packages is not defined
            java package global      | java.lang.System.getenv()                                 | ReferenceError: java is not defined
            Polyglot.eval            | Polyglot.eval('js', '1')                                   | ReferenceError: Polyglot is not defined
            Graal                    | Graal.versionGraalVM                                      | ReferenceError: Graal is not defined
            load a file              | load('/etc/passwd')                                       | ReferenceError: load is not defined
            load a URL               | load('https://example.com/x.js')                          | ReferenceError: load is not defined
            read a file              | read('/etc/passwd')                                       | ReferenceError: read is not defined
            readFile                 | readFile('/etc/passwd')                                   | ReferenceError: readFile is not defined
            require fs               | require('fs').readFileSync('/etc/passwd')                 | ReferenceError: require is not defined
            eval                     | eval('1 + 1')                                             | EvalError
            indirect eval            | (0, eval)('1 + 1')                                        | EvalError
            Function constructor     | Function('return this')()                                 | EvalError
            constructor of a function| (() => 1).constructor('return 1')()                       | EvalError
            process.env              | process.env.HOME                                          | ReferenceError: process is not defined
            quit                     | quit()                                                    | ReferenceError: quit is not defined
            exit                     | exit(1)                                                   | ReferenceError: exit is not defined
            Worker thread            | new Worker('x.js')                                        | ReferenceError: Worker is not defined
            setTimeout               | setTimeout(() => 1, 1)                                    | ReferenceError: setTimeout is not defined
            Atomics.wait blocks      | Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0) | TypeError
            fetch                    | fetch('http://127.0.0.1/')                                 | ReferenceError: fetch is not defined
            host method on input     | ctx.getClass().forName('java.lang.Runtime')               | TypeError
            host method on labels    | ctx.labels.getClass().getName()                           | TypeError
            host method on history   | ctx.history.getClass().getName()                          | TypeError
            """)
    void escapeAttemptsFail(String what, String code, String error) {
        String name = "escape-" + what.trim().replaceAll("[^A-Za-z0-9]+", "-");
        load(name, "function onExit(ctx) {\n  if (ctx.exitCode === 1) {\n    " + code + ";\n  }\n  return {action: 'stop'};\n}\n");
        Outcome o = engine.evaluate(name, Hook.ON_EXIT, Inputs.exit(1, 0, 100));
        assertTrue(o.failed(), () -> what + " succeeded: " + o);
        assertInstanceOf(Decision.Default.class, o.decision());
        assertTrue(o.failure().startsWith("onExit threw " + error), () -> what + ": " + o.failure());
        // A direct eval's error carries no location; every other one points at the attempt.
        assertTrue(o.failure().contains(" at " + name + ".js:3:") || what.equals("eval"), () -> what + ": " + o.failure());
        assertStillAnswers(name);
    }

    @Test
    void noHostOrIoGlobalExistsButConsoleWorks() {
        load("globals", """
                const FORBIDDEN = ['Java', 'Packages', 'java', 'javax', 'com', 'org', 'Polyglot', 'Graal', 'load',
                    'loadWithNewGlobal', 'print', 'printErr', 'quit', 'exit', 'read', 'readFile', 'readbuffer',
                    'readline', 'require', 'process', 'Worker', 'setTimeout', 'setInterval', 'WebAssembly', 'fetch',
                    'XMLHttpRequest', 'importScripts', 'Deno', 'Bun', 'module', 'exports', 'global'];
                function onExit(ctx) {
                  const found = FORBIDDEN.filter(n => typeof globalThis[n] !== 'undefined');
                  if (found.length > 0) throw new Error('reachable: ' + found.join(','));
                  console.log('console works; its output goes nowhere', ctx.id);
                  console.error(JSON.stringify(ctx));
                  return {action: 'stop'};
                }
                """);
        Outcome o = engine.evaluate("globals", Hook.ON_EXIT, Inputs.exit(1, 0, 100));
        assertNull(o.failure());
        assertInstanceOf(Decision.Stop.class, o.decision());
    }

    @Test
    void dynamicImportOfAFileIsRefused() {
        load("dynamic-import", """
                let outcome = 'pending';
                import('/etc/passwd').then(() => { outcome = 'read'; }, e => { outcome = String(e); });
                function onExit(ctx) {
                  if (outcome.includes('not allowed')) return {action: 'stop'};
                  throw new Error('import of /etc/passwd: ' + outcome);
                }
                """);
        Outcome o = engine.evaluate("dynamic-import", Hook.ON_EXIT, Inputs.exit(1, 0, 100));
        assertNull(o.failure());
        assertInstanceOf(Decision.Stop.class, o.decision());
    }

    @Test
    void staticImportIsASyntaxError() {
        PolicyChange c = engine.load("static-import", "static-import.js",
                "import fs from 'fs';\nfunction onExit(ctx) { return {action: 'stop'}; }\n");
        PolicyChange.Rejected r = assertInstanceOf(PolicyChange.Rejected.class, c);
        assertEquals(1, r.line());
        assertTrue(r.reason().startsWith("SyntaxError"), r.reason());
    }

    @Test
    void theInputCannotBeUsedToChangeTheHost() {
        load("mutate", """
                function onExit(ctx) {
                  ctx.labels.added = 'x';
                  ctx.history.push({action: 'forged', time: 0});
                  ctx.exitCode = 0;
                  return ctx.exitCode === 0 && ctx.history.length === 3 ? {action: 'stop'} : {action: 'default'};
                }
                """);
        Input in = Inputs.exit(1, 0, 100);
        Outcome o = engine.evaluate("mutate", Hook.ON_EXIT, in);
        // The script changes only its own copy; the caller's input is untouched.
        assertEquals(Map.of(), in.labels());
        assertEquals(2, in.history().size());
        assertTrue(o.failed() || o.decision() instanceof Decision.Stop, o::toString);
    }

    @Test
    void anInfiniteLoopIsCutByTheStatementLimit() {
        load("loop", "function onExit(ctx) {\n  if (ctx.exitCode === 1) {\n    while (true) {}\n  }\n  return {action: 'stop'};\n}\n");
        long t0 = System.nanoTime();
        Outcome o = engine.evaluate("loop", Hook.ON_EXIT, Inputs.exit(1, 0, 100));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(o.failed());
        assertInstanceOf(Decision.Default.class, o.decision());
        assertTrue(o.failure().startsWith("onExit exceeded the statement limit of 1000000")
                || o.failure().startsWith("onExit timed out after 1000 ms"), o.failure());
        assertTrue(ms < 2_000, "took " + ms + " ms");
        assertStillAnswers("loop");
    }

    @Test
    void anInfiniteLoopIsCutByTheWatchdogAtTheTimeLimit() {
        try (PolicyEngine unbounded = PolicyEngine.create(PolicyLimits.DEFAULT.withStatementLimit(Long.MAX_VALUE))) {
            String source = "function onExit(ctx) {\n  if (ctx.exitCode === 1) {\n    while (true) {}\n  }\n  return {action: 'stop'};\n}\n";
            assertInstanceOf(PolicyChange.Loaded.class, unbounded.load("spin", "spin.js", source));
            for (int round = 0; round < 3; round++) {
                // The first call of a hook gets the load timeout (1 s); later ones the call timeout (50 ms).
                long limit = round == 0 ? 1_000 : 50;
                long t0 = System.nanoTime();
                Outcome o = unbounded.evaluate("spin", Hook.ON_EXIT, Inputs.exit(1, 0, 100));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(o.failed());
                assertTrue(o.failure().startsWith("onExit timed out after " + limit + " ms at spin.js:3:"), o.failure());
                assertTrue(ms >= limit && ms < limit + 1_000, "took " + ms + " ms");
                Outcome next = unbounded.evaluate("spin", Hook.ON_EXIT, Inputs.exit(0, 0, 100));
                assertNull(next.failure(), next::toString);
                assertInstanceOf(Decision.Stop.class, next.decision());
            }
        }
    }

    @Test
    void deepRecursionFailsCleanly() {
        load("recurse", "function down(n) { return down(n + 1) + 1; }\nfunction onExit(ctx) {\n  if (ctx.exitCode === 1) down(0);\n  return {action: 'stop'};\n}\n");
        Outcome o = engine.evaluate("recurse", Hook.ON_EXIT, Inputs.exit(1, 0, 100));
        assertTrue(o.failed());
        assertTrue(o.failure().startsWith("onExit threw RangeError") || o.failure().contains("limit"), o.failure());
        assertStillAnswers("recurse");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            growing array of arrays   | const a = []; for (;;) a.push(new Array(100000).fill(ctx.exitCode));
            growing array of strings  | const a = []; const s = 'x'.repeat(1 << 16); for (let i = 0; ; i++) a.push(s + i);
            doubling string           | let s = 'x'; for (;;) { s = s + s; s.charCodeAt(s.length - 1); }
            one huge ArrayBuffer      | const b = new ArrayBuffer(2 ** 31 - 1); new Uint8Array(b).fill(7);
            one huge string           | const s = 'y'.repeat(2 ** 29); s.charCodeAt(12345);
            huge array fill           | new Array(2 ** 30).fill(0);
            map of objects            | const m = new Map(); for (let i = 0; ; i++) m.set(i, {i, s: 'v' + i});
            """)
    void hugeAllocationsAreCutOrFailCleanly(String what, String code) {
        String name = "alloc-" + what.trim().replaceAll("[^A-Za-z0-9]+", "-");
        load(name, "function onExit(ctx) {\n  if (ctx.exitCode === 1) {\n    " + code + "\n  }\n  return {action: 'stop'};\n}\n");
        long t0 = System.nanoTime();
        Outcome o = engine.evaluate(name, Hook.ON_EXIT, Inputs.exit(1, 0, 100));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(o.failed(), () -> what + " was not cut: " + o);
        assertInstanceOf(Decision.Default.class, o.decision());
        assertTrue(o.failure().matches("onExit (allocated more than 32 MiB|ran out of memory|timed out after 1000 ms"
                + "|exceeded the statement limit|threw RangeError).*"), o.failure());
        assertTrue(ms < 3_000, what + " took " + ms + " ms");
        assertStillAnswers(name);
    }

    private static void load(String name, String source) {
        PolicyChange c = engine.load(name, name + ".js", source);
        assertInstanceOf(PolicyChange.Loaded.class, c, c::toString);
    }

    /** The policy's onExit answers stop for exit code 0. */
    private static void assertStillAnswers(String policy) {
        Outcome o = engine.evaluate(policy, Hook.ON_EXIT, Inputs.exit(0, 0, 100));
        assertNull(o.failure(), () -> policy + " after a failure: " + o.failure());
        assertInstanceOf(Decision.Stop.class, o.decision());
    }
}
