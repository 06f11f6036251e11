package io.berth.scripting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.scripting.PolicyEngine.Decision;
import io.berth.scripting.PolicyEngine.Hook;
import io.berth.scripting.PolicyEngine.Outcome;
import io.berth.scripting.PolicyEngine.PolicyInfo;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Loading, validating and replacing versions of a policy. */
class LoadTest {

    private static final String STOP = "function onExit(ctx) { return {action: 'stop'}; }\n";
    private static final String RESTART = "function onExit(ctx) { return {action: 'restart', delayMs: 7}; }\n";

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
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            syntax error        | "function onExit(ctx) {\\n  return {action: 'stop'\\n}}\\n}\\n"                  | 4 | 1  | SyntaxError: Expected eof but found }
            unclosed brace      | "function onExit(ctx) {\\n  return 1;\\n"                                      | 3 | 1  | SyntaxError:
            top level throws    | "function onExit(ctx) {}\\n\\nthrow new Error('not today');\\n"               | 3 | 7  | top level threw Error: not today
            top level reference | "function onExit(ctx) {}\\nconst x = missing.value;\\n"                        | 2 | 11 | top level threw ReferenceError: missing is not defined
            hook not a function | "var onStartFailure = 5;\\nfunction onExit(ctx) {}\\n"                        | 1 | 5  | onStartFailure is defined but is not a function
            hook an object      | "function onExit(ctx) {}\\nconst onOom = {action: 'stop'};\\n"                 | 2 | 7  | onOom is defined but is not a function
            no hook             | "function onexit(ctx) { return {action: 'stop'}; }\\n"                       | 1 | 1  | defines none of onExit, onOom, onStartFailure
            top level loops     | "function onExit(ctx) {}\\nwhile (true) {}\\n"                                 | 2 | 8  | top level exceeded the statement limit of 1000000
            ES module           | "export function onExit(ctx) {}\\n"                                           | 1 | 1  | SyntaxError:
            """)
    void aBrokenFileIsRejectedWithLineAndColumn(String what, String source, int line, int column, String reason) {
        String name = "broken-" + what.replace(' ', '-');
        PolicyChange c = engine.load(name, "/etc/berth/policies/" + name + ".js", source.replace("\\n", "\n"));
        PolicyChange.Rejected r = assertInstanceOf(PolicyChange.Rejected.class, c, c::toString);
        assertEquals("/etc/berth/policies/" + name + ".js", r.file());
        assertEquals(line, r.line(), r::toString);
        assertEquals(column, r.column(), r::toString);
        assertTrue(r.reason().startsWith(reason), r::toString);
        assertNull(r.keptVersionHash());
        PolicyInfo info = engine.policy(name).orElseThrow();
        assertEquals("rejected", info.state());
        assertNull(info.versionHash());
        assertEquals(line, info.rejection().line());
        Outcome o = engine.evaluate(name, Hook.ON_EXIT, Inputs.exit(1, 0, 100));
        assertTrue(o.failure().startsWith("policy " + name + " has no active version: /etc/berth/policies/" + name + ".js:"
                + line + ":" + column + ": "), o::toString);
    }

    @Test
    void aRejectedReloadKeepsThePreviousVersion() {
        PolicyChange.Loaded v1 = assertInstanceOf(PolicyChange.Loaded.class, engine.load("keep", "keep.js", STOP));
        assertEquals(PolicyEngine.versionHash(STOP), v1.versionHash());
        assertEquals(EnumSet.of(Hook.ON_EXIT), v1.hooks());

        PolicyChange.Rejected bad = assertInstanceOf(PolicyChange.Rejected.class,
                engine.load("keep", "keep.js", "function onExit(ctx) {\n  return {action: 'restart', delayMs: 1}\n"));
        assertEquals(v1.versionHash(), bad.keptVersionHash());
        PolicyInfo info = engine.policy("keep").orElseThrow();
        assertEquals("active (update rejected)", info.state());
        assertEquals(v1.versionHash(), info.versionHash());
        assertEquals(PolicyEngine.versionHash("function onExit(ctx) {\n  return {action: 'restart', delayMs: 1}\n"),
                info.rejection().versionHash());
        assertInstanceOf(Decision.Stop.class, engine.evaluate("keep", Hook.ON_EXIT, Inputs.exit(1, 0, 100)).decision());

        PolicyChange.Loaded v2 = assertInstanceOf(PolicyChange.Loaded.class, engine.load("keep", "keep.js", RESTART));
        Outcome o = engine.evaluate("keep", Hook.ON_EXIT, Inputs.exit(1, 0, 100));
        assertEquals(new Decision.Restart(7, 0), o.decision());
        assertEquals(v2.versionHash(), o.versionHash());
        assertEquals("active", engine.policy("keep").orElseThrow().state());

        // Going back to the active version's source clears a rejection without recompiling.
        engine.load("keep", "keep.js", "syntax error here");
        assertInstanceOf(PolicyChange.Loaded.class, engine.load("keep", "keep.js", RESTART));
        assertEquals("active", engine.policy("keep").orElseThrow().state());
    }

    @Test
    void removeForgetsAPolicy() {
        engine.load("gone", "/p/gone.js", STOP);
        assertEquals(new PolicyChange.Removed("gone", "/p/gone.js"), engine.remove("gone").orElseThrow());
        assertTrue(engine.remove("gone").isEmpty());
        assertTrue(engine.policy("gone").isEmpty());
        assertEquals("no policy named gone is loaded",
                engine.evaluate("gone", Hook.ON_EXIT, Inputs.exit(1, 0, 100)).failure());
    }

    @Test
    void namesAreChecked() {
        PolicyChange.Rejected r = assertInstanceOf(PolicyChange.Rejected.class, engine.load("../etc", "x.js", STOP));
        assertTrue(r.reason().startsWith("invalid policy name"), r::toString);
        assertTrue(engine.policy("../etc").isEmpty());
    }

    @Test
    void policiesAreListedByName() {
        engine.load("zz-last", "zz-last.js", STOP);
        engine.load("aa-first", "aa-first.js", RESTART);
        List<String> names = engine.policies().stream().map(PolicyInfo::name).toList();
        assertEquals(names.stream().sorted().toList(), names);
        assertTrue(names.containsAll(List.of("aa-first", "zz-last")));
        assertTrue(engine.hasHook("aa-first", Hook.ON_EXIT));
        assertTrue(!engine.hasHook("aa-first", Hook.ON_OOM) && !engine.hasHook("nope", Hook.ON_EXIT));
    }
}
