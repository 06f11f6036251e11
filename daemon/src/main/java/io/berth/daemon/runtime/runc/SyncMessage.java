package io.berth.daemon.runtime.runc;

/**
 * One line conmon writes to its sync (or attach) pipe with {@code --api-version 1}:
 * {@code {"data": N}} or {@code {"data": N, "message": "..."}}. For a create, {@code data} is the
 * container's PID or -1 with runc's stderr as the message; for an exec, the PID first and the exit
 * code later; on the attach pipe, 0 once the attach socket listens.
 *
 * @param message null when the line has none
 */
record SyncMessage(int data, String message) {

    /** Parses one line (its newline already stripped); conmon's JSON is flat and escapes like C. */
    static SyncMessage parse(String line) {
        Parser p = new Parser(line);
        Integer data = null;
        String message = null;
        p.expect('{');
        if (p.peek() != '}') {
            do {
                String key = p.string();
                p.expect(':');
                switch (key) {
                    case "data" -> data = p.integer();
                    case "message" -> message = p.string();
                    default -> p.skipValue();
                }
            } while (p.comma());
        }
        p.expect('}');
        if (data == null) {
            throw new IllegalArgumentException("no \"data\" in conmon message: " + line);
        }
        return new SyncMessage(data, message);
    }

    /** A tiny reader of the JSON subset conmon writes: strings, integers, one flat object. */
    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        char peek() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= s.length()) {
                throw bad("unexpected end");
            }
            return s.charAt(i);
        }

        void expect(char c) {
            if (peek() != c) {
                throw bad("expected '" + c + "'");
            }
            i++;
        }

        boolean comma() {
            if (peek() == ',') {
                i++;
                return true;
            }
            return false;
        }

        int integer() {
            peek();
            int start = i;
            if (i < s.length() && s.charAt(i) == '-') {
                i++;
            }
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            try {
                return Integer.parseInt(s.substring(start, i));
            } catch (NumberFormatException e) {
                throw bad("expected an integer");
            }
        }

        String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                if (i >= s.length()) {
                    throw bad("unterminated string");
                }
                char c = s.charAt(i++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c); // conmon passes bytes >= 0x80 and a few controls through raw
                    continue;
                }
                if (i >= s.length()) {
                    throw bad("unterminated escape");
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        if (i + 4 > s.length()) {
                            throw bad("short \\u escape");
                        }
                        try {
                            out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        } catch (NumberFormatException x) {
                            throw bad("bad \\u escape");
                        }
                        i += 4;
                    }
                    default -> out.append(e); // \" \\ \/
                }
            }
        }

        void skipValue() {
            if (peek() == '"') {
                string();
            } else {
                while (i < s.length() && ",}".indexOf(s.charAt(i)) < 0) {
                    i++;
                }
            }
        }

        IllegalArgumentException bad(String what) {
            return new IllegalArgumentException(what + " at " + i + " in conmon message: " + s);
        }
    }
}
