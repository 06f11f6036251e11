package io.berth.scripting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.scripting.PolicyEngine.Decision;
import io.berth.scripting.PolicyEngine.Hook;
import io.berth.scripting.PolicyEngine.Outcome;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a hook may return, and how everything else fails. */
class DecisionTest {

    private static final String CASES = """
            const CASES = {
              'undefined': () => undefined,
              'null': () => null,
              'default': () => ({action: 'default'}),
              'stop': () => ({action: 'stop'}),
              'restart': () => ({action: 'restart', delayMs: 1500}),
              'restart 0': () => ({action: 'restart', delayMs: 0}),
              'restart float integer': () => ({action: 'restart', delayMs: 1500.0}),
              'restart huge delay': () => ({action: 'restart', delayMs: 1e300}),
              'restart memory': () => ({action: 'restart', delayMs: 10, memory: 1048576}),
              'undefined key': () => ({action: 'stop', delayMs: undefined}),
              'inherited action': () => Object.create({action: 'stop'}),
              'getter': () => ({get action() { return 'stop'; }}),
              'no delay': () => ({action: 'restart'}),
              'null delay': () => ({action: 'restart', delayMs: null}),
              'negative delay': () => ({action: 'restart', delayMs: -1}),
              'fractional delay': () => ({action: 'restart', delayMs: 1.5}),
              'NaN delay': () => ({action: 'restart', delayMs: NaN}),
              'infinite delay': () => ({action: 'restart', delayMs: Infinity}),
              'string delay': () => ({action: 'restart', delayMs: '100'}),
              'typo key': () => ({action: 'restart', delay: 100}),
              'stop with delay': () => ({action: 'stop', delayMs: 5}),
              'zero memory': () => ({action: 'restart', delayMs: 0, memory: 0}),
              'fractional memory': () => ({action: 'restart', delayMs: 0, memory: 1.5}),
              'unsafe memory': () => ({action: 'restart', delayMs: 0, memory: 2 ** 60}),
              'number': () => 5,
              'string': () => 'stop',
              'boolean': () => true,
              'array': () => ['stop'],
              'function': () => (() => 1),
              'empty object': () => ({}),
              'numeric action': () => ({action: 42}),
              'unknown action': () => ({action: 'reboot'}),
              'capitalised action': () => ({action: 'Stop'}),
              'promise': () => Promise.resolve({action: 'stop'}),
              'throwing getter': () => ({get action() { throw new Error('gotcha'); }}),
              'looping getter': () => ({get action() { for (;;) {} }}),
              'throws a string': () => { throw 'oops'; },
              'throws an error': () => { throw new TypeError('bad input'); },
            };
            function onExit(ctx) { return CASES[ctx.labels.case](); }
            function onOom(ctx) { return CASES[ctx.labels.case](); }
            """;

    private static PolicyEngine engine;

    @BeforeAll
    static void create() {
        engine = PolicyEngine.create(PolicyLimits.DEFAULT);
        PolicyChange c = engine.load("cases", "/etc/berth/policies/cases.js", CASES);
        assertInstanceOf(PolicyChange.Loaded.class, c, c::toString);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            undefined             | default
            null                  | default
            default               | default
            stop                  | stop
            restart               | restart 1500
            restart 0             | restart 0
            restart float integer | restart 1500
            restart huge delay    | restart 86400000
            undefined key         | stop
            inherited action      | stop
            getter                | stop
            """)
    void decisions(String which, String expected) {
        Outcome o = evaluate(Hook.ON_EXIT, which);
        assertNull(o.failure(), o::toString);
        assertEquals(expected, describe(o.decision()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            restart memory        | returned an unexpected key "memory" with restart (memory is only allowed from onOom with restart)
            no delay              | returned restart without delayMs
            null delay            | returned restart without delayMs
            negative delay        | returned a negative delayMs: -1
            fractional delay      | returned a delayMs that is not an integer: 1.5
            NaN delay             | returned a delayMs that is not an integer: NaN
            infinite delay        | returned a delayMs that is not an integer: Infinity
            string delay          | returned a delayMs that is not a number: "100"
            typo key              | returned an unexpected key "delay" with restart
            stop with delay       | returned an unexpected key "delayMs" with stop
            number                | returned 5 instead of a decision object
            string                | returned "stop" instead of a decision object
            boolean               | returned true instead of a decision object
            array                 | returned [...] instead of a decision object
            function              | returned
            empty object          | returned an object without an action
            numeric action        | returned an action that is not a string: 42
            unknown action        | returned an unknown action "reboot" (expected restart, stop or default)
            capitalised action    | returned an unknown action "Stop" (expected restart, stop or default)
            promise               | returned a Promise: a hook must return its decision, not be async
            throwing getter       | threw Error: gotcha at cases.js:36:
            looping getter        | exceeded the statement limit of 1000000
            throws a string       | threw oops at cases.js:38:
            throws an error       | threw TypeError: bad input at cases.js:39:
            """)
    void garbageAndErrorsFailToDockersPolicy(String which, String reason) {
        Outcome o = evaluate(Hook.ON_EXIT, which);
        assertTrue(o.failed(), o::toString);
        assertInstanceOf(Decision.Default.class, o.decision());
        String expected = "onExit " + reason.replace("[...]", "");
        assertTrue(o.failure().startsWith(expected) || reason.contains("[...]") && o.failure().endsWith("instead of a decision object"),
                () -> "expected " + expected + "\n but got " + o.failure());
        // The context survives, or is replaced after a cut: the next call answers.
        assertEquals("stop", describe(evaluate(Hook.ON_EXIT, "stop").decision()));
    }

    @Test
    void onOomMayAddMemory() {
        Outcome o = evaluate(Hook.ON_OOM, "restart memory");
        assertNull(o.failure(), o::toString);
        assertEquals(new Decision.Restart(10, 1 << 20), o.decision());
        for (String bad : new String[] {"zero memory", "fractional memory", "unsafe memory"}) {
            Outcome b = evaluate(Hook.ON_OOM, bad);
            assertTrue(b.failed(), b::toString);
            assertTrue(b.failure().startsWith("onOom returned memory that is not a positive safe integer")
                    || b.failure().startsWith("onOom returned a memory that is not an integer"), b.failure());
        }
    }

    @Test
    void theOutcomeNamesThePolicyVersionHookAndInputs() {
        Outcome o = evaluate(Hook.ON_EXIT, "restart");
        assertEquals("cases", o.policy());
        assertEquals(PolicyEngine.versionHash(CASES), o.versionHash());
        assertEquals(Hook.ON_EXIT, o.hook());
        assertEquals("exitCode=1 oomKilled=false restartCount=2 ranMs=500 memoryLimit=0 history=2", o.inputsSummary());
        assertEquals("restart", o.decision().action());
    }

    @Test
    void anUnknownPolicyFailsToDockersPolicy() {
        Outcome o = engine.evaluate("nope", Hook.ON_EXIT, Inputs.exit(1, 0, 100));
        assertEquals("no policy named nope is loaded", o.failure());
        assertEquals("", o.versionHash());
        assertInstanceOf(Decision.Default.class, o.decision());
    }

    private static Outcome evaluate(Hook hook, String which) {
        return engine.evaluate("cases", hook, Inputs.withLabels(Inputs.exit(1, 2, 500), Map.of("case", which)));
    }

    private static String describe(Decision d) {
        return switch (d) {
            case Decision.Restart r -> "restart " + r.delayMs() + (r.memoryBytes() > 0 ? " memory " + r.memoryBytes() : "");
            case Decision.Stop s -> "stop";
            case Decision.Default x -> "default";
        };
    }
}
