package io.berth.events.codec;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The shape of a value in Berth's binary encoding, independent of any Java class.
 *
 * <p>Current event records have their shape derived from their components ({@link Shapes#of}); the
 * shapes of retired event versions are written out by hand next to their upcasters, so old journal
 * entries can still be read after the record class has moved on. {@link #describe()} gives a compact
 * canonical text that the schema test compares against a checked-in golden file.
 */
public sealed interface Shape {

    String describe();

    /** Leaf values. Enums are encoded as their constant's name, so they are {@code STRING} here. */
    enum Scalar implements Shape {
        STRING("S"), INT("I"), LONG("J"), BOOLEAN("Z"), DOUBLE("D");

        private final String code;

        Scalar(String code) {
            this.code = code;
        }

        @Override
        public String describe() {
            return code;
        }
    }

    /** A list; a null list is written as empty. */
    record ListOf(Shape element) implements Shape {
        @Override
        public String describe() {
            return "L<" + element.describe() + ">";
        }
    }

    /** A map with string keys; a null map is written as empty. */
    record MapOf(Shape value) implements Shape {
        @Override
        public String describe() {
            return "M<" + value.describe() + ">";
        }
    }

    /** A record: its fields in order. Nested records may be null. */
    record Rec(String name, List<Field> fields) implements Shape {
        public Rec {
            fields = List.copyOf(fields);
        }

        @Override
        public String describe() {
            return name + fields.stream().map(Field::describe).collect(Collectors.joining(",", "{", "}"));
        }
    }

    /** One of several records, written as the variant's name then its fields. */
    record Union(List<Rec> variants) implements Shape {
        public Union {
            variants = List.copyOf(variants);
        }

        public Rec variant(String name) {
            for (Rec r : variants) {
                if (r.name().equals(name)) {
                    return r;
                }
            }
            return null;
        }

        @Override
        public String describe() {
            return variants.stream().map(Rec::describe).collect(Collectors.joining("|", "U<", ">"));
        }
    }

    record Field(String name, Shape shape) {
        public String describe() {
            return name + ":" + shape.describe();
        }
    }

    static Field field(String name, Shape shape) {
        return new Field(name, shape);
    }

    static Rec rec(String name, Field... fields) {
        return new Rec(name, List.of(fields));
    }
}
