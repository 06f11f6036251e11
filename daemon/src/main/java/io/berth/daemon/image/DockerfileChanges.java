package io.berth.daemon.image;

import io.berth.errors.EngineException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns {@code docker import --change} instructions into the {@code config} object of a Docker image
 * config, the way a Dockerfile would: {@code CMD}/{@code ENTRYPOINT} in JSON (exec) or shell form,
 * {@code ENV}/{@code LABEL} as {@code k=v} pairs (or the legacy {@code k v}), {@code WORKDIR} relative
 * to the previous one, {@code EXPOSE} with ranges and protocols, {@code USER}, {@code STOPSIGNAL}.
 * Variable substitution ({@code $VAR}) is not performed. Anything else is INVALID_ARGUMENT.
 */
final class DockerfileChanges {
    private static final Pattern PORT = Pattern.compile("(\\d+)(?:-(\\d+))?(?:/(tcp|udp|sctp))?");
    private static final Pattern SIGNAL = Pattern.compile("[A-Za-z0-9+-]+");

    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final Set<String> ports = new LinkedHashSet<>();
    private List<String> cmd;
    private List<String> entrypoint;
    private boolean cmdSet;
    private String workingDir;
    private String user;
    private String stopSignal;

    private DockerfileChanges() {}

    /** The {@code config} object the instructions describe, holding only the fields they set. */
    static JsonObject apply(List<String> changes) {
        DockerfileChanges state = new DockerfileChanges();
        for (String change : changes) {
            state.apply(change);
        }
        return state.toJson();
    }

    /**
     * The {@code config} of a committed image: the container's config {@code base}, then the
     * instructions on top, as {@code docker commit --change} applies them.
     */
    static JsonObject apply(ImageConfig base, List<String> changes) {
        DockerfileChanges state = new DockerfileChanges();
        for (String e : base.env()) {
            int eq = e.indexOf('=');
            state.env.put(eq < 0 ? e : e.substring(0, eq), e);
        }
        state.labels.putAll(base.labels());
        state.ports.addAll(base.exposedPorts());
        state.cmd = base.cmd().isEmpty() ? null : base.cmd();
        state.entrypoint = base.entrypoint().isEmpty() ? null : base.entrypoint();
        state.workingDir = base.workingDir().isEmpty() ? null : base.workingDir();
        state.user = base.user().isEmpty() ? null : base.user();
        state.stopSignal = base.stopSignal().isEmpty() ? null : base.stopSignal();
        for (String change : changes) {
            state.apply(change);
        }
        return state.toJson();
    }

    private void apply(String change) {
        String line = change.strip();
        int space = indexOfWhitespace(line);
        String keyword = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
        String rest = space < 0 ? "" : line.substring(space).strip();
        if (rest.isEmpty()) {
            throw invalid(change, keyword.isEmpty() ? "empty instruction" : keyword + " needs an argument");
        }
        switch (keyword) {
            case "CMD" -> {
                cmd = command(rest);
                cmdSet = true;
            }
            case "ENTRYPOINT" -> {
                entrypoint = command(rest);
                if (!cmdSet) {
                    cmd = null; // as in a Dockerfile: a new ENTRYPOINT drops an inherited CMD
                }
            }
            case "ENV" -> pairs(change, rest).forEach((k, v) -> env.put(k, k + "=" + v));
            case "LABEL" -> labels.putAll(pairs(change, rest));
            case "WORKDIR" -> {
                String dir = unquote(rest);
                String base = workingDir == null ? "/" : workingDir;
                workingDir = Path.of("/").resolve(base).resolve(dir).normalize().toString();
            }
            case "USER" -> user = unquote(rest);
            case "STOPSIGNAL" -> {
                if (!SIGNAL.matcher(rest).matches()) {
                    throw invalid(change, "invalid signal \"" + rest + "\"");
                }
                stopSignal = rest;
            }
            case "EXPOSE" -> {
                for (String spec : words(change, rest)) {
                    expose(change, spec);
                }
            }
            default -> throw invalid(change, "unsupported instruction " + keyword
                    + " (supported: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, WORKDIR)");
        }
    }

    /** JSON array form if the argument is one, otherwise shell form, exactly as Docker decides. */
    private static List<String> command(String rest) {
        if (rest.startsWith("[")) {
            try {
                JsonArray array = new JsonArray(rest);
                List<String> args = new ArrayList<>();
                boolean allStrings = true;
                for (Object o : array) {
                    allStrings &= o instanceof String;
                    args.add(String.valueOf(o));
                }
                if (allStrings) {
                    return args;
                }
            } catch (DecodeException e) {
                // not JSON: shell form
            }
        }
        return List.of("/bin/sh", "-c", rest);
    }

    private static Map<String, String> pairs(String change, String rest) {
        List<String> words = words(change, rest);
        Map<String, String> pairs = new LinkedHashMap<>();
        if (!words.getFirst().contains("=")) {
            // Legacy form: the first word is the key, everything after it the value.
            if (words.size() < 2) {
                throw invalid(change, "expected key=value or \"key value\"");
            }
            pairs.put(words.getFirst(), String.join(" ", words.subList(1, words.size())));
            return pairs;
        }
        for (String word : words) {
            int eq = word.indexOf('=');
            if (eq <= 0) {
                throw invalid(change, "\"" + word + "\" is not key=value");
            }
            pairs.put(word.substring(0, eq), word.substring(eq + 1));
        }
        return pairs;
    }

    private void expose(String change, String spec) {
        Matcher m = PORT.matcher(spec.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw invalid(change, "invalid port \"" + spec + "\"");
        }
        int first = port(change, m.group(1));
        int last = m.group(2) == null ? first : port(change, m.group(2));
        if (last < first) {
            throw invalid(change, "invalid port range \"" + spec + "\"");
        }
        String proto = m.group(3) == null ? "tcp" : m.group(3);
        for (int p = first; p <= last; p++) {
            ports.add(p + "/" + proto);
        }
    }

    private static int port(String change, String digits) {
        int port = digits.length() > 5 ? -1 : Integer.parseInt(digits);
        if (port < 1 || port > 65535) {
            throw invalid(change, "port " + digits + " is out of range");
        }
        return port;
    }

    /** Splits on unquoted whitespace, removing quotes; a backslash escapes the next character outside '...'. */
    static List<String> words(String change, String s) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote == 0 && Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            } else if (c == '\\' && quote != '\'' && i + 1 < s.length()) {
                word.append(s.charAt(++i));
            } else {
                word.append(c);
            }
        }
        if (quote != 0) {
            throw invalid(change, "unterminated quote");
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    private static String unquote(String s) {
        boolean quoted = s.length() >= 2 && (s.charAt(0) == '"' || s.charAt(0) == '\'') && s.endsWith(s.substring(0, 1));
        return quoted ? s.substring(1, s.length() - 1) : s;
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private JsonObject toJson() {
        // Docker's field order (container.Config), so the JSON reads like Docker's.
        JsonObject config = new JsonObject();
        if (user != null) {
            config.put("User", user);
        }
        if (!ports.isEmpty()) {
            JsonObject exposed = new JsonObject();
            ports.forEach(p -> exposed.put(p, new JsonObject()));
            config.put("ExposedPorts", exposed);
        }
        if (!env.isEmpty()) {
            config.put("Env", new JsonArray(new ArrayList<>(env.values())));
        }
        if (cmd != null) {
            config.put("Cmd", new JsonArray(new ArrayList<>(cmd)));
        }
        if (workingDir != null) {
            config.put("WorkingDir", workingDir);
        }
        if (entrypoint != null) {
            config.put("Entrypoint", new JsonArray(new ArrayList<>(entrypoint)));
        }
        if (!labels.isEmpty()) {
            JsonObject labelObject = new JsonObject();
            labels.forEach(labelObject::put);
            config.put("Labels", labelObject);
        }
        if (stopSignal != null) {
            config.put("StopSignal", stopSignal);
        }
        return config;
    }

    private static EngineException invalid(String change, String why) {
        return EngineException.invalid("invalid --change \"" + change + "\": " + why);
    }
}
