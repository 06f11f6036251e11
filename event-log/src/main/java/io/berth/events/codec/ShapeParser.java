package io.berth.events.codec;

import java.util.ArrayList;
import java.util.List;

/** Reads the text {@link Shape#describe()} writes, so stored data can carry its own shape. */
public final class ShapeParser {

    private final String text;
    private int pos;

    private ShapeParser(String text) {
        this.text = text;
    }

    /** Parses a shape description; the whole text must be one shape. */
    public static Shape parse(String text) {
        ShapeParser p = new ShapeParser(text);
        Shape s = p.shape();
        if (p.pos != text.length()) {
            throw p.error("trailing text");
        }
        return s;
    }

    private Shape shape() {
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        char c = text.charAt(pos);
        if (text.startsWith("L<", pos)) {
            pos += 2;
            Shape element = shape();
            expect('>');
            return new Shape.ListOf(element);
        }
        if (text.startsWith("M<", pos)) {
            pos += 2;
            Shape value = shape();
            expect('>');
            return new Shape.MapOf(value);
        }
        if (text.startsWith("U<", pos)) {
            pos += 2;
            List<Shape.Rec> variants = new ArrayList<>();
            do {
                variants.add(rec());
            } while (accept('|'));
            expect('>');
            return new Shape.Union(variants);
        }
        if (pos + 1 == text.length() || !Character.isJavaIdentifierPart(text.charAt(pos + 1))) {
            for (Shape.Scalar s : Shape.Scalar.values()) {
                if (s.describe().charAt(0) == c) {
                    pos++;
                    return s;
                }
            }
        }
        return rec();
    }

    private Shape.Rec rec() {
        String name = identifier();
        expect('{');
        List<Shape.Field> fields = new ArrayList<>();
        if (!accept('}')) {
            do {
                String field = identifier();
                expect(':');
                fields.add(new Shape.Field(field, shape()));
            } while (accept(','));
            expect('}');
        }
        return new Shape.Rec(name, fields);
    }

    private String identifier() {
        int start = pos;
        while (pos < text.length() && Character.isJavaIdentifierPart(text.charAt(pos))) {
            pos++;
        }
        if (start == pos) {
            throw error("identifier expected");
        }
        return text.substring(start, pos);
    }

    private boolean accept(char c) {
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!accept(c)) {
            throw error("'" + c + "' expected");
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at " + pos + " in shape " + text);
    }
}
