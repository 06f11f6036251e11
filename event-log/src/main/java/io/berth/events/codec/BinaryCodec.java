package io.berth.events.codec;

import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaConversionException;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

import net.openhft.chronicle.bytes.Bytes;

/**
 * Positional binary encoding of records, derived from their components: no field names or type tags
 * on the wire, so an event costs little more than its data.
 *
 * <p>Supported component types: {@code String}, {@code int}, {@code long}, {@code boolean},
 * {@code double} (boxed ones must not be null), enums, {@code List<T>}, {@code Map<String, T>}, nested records and sealed interfaces
 * whose permitted types are records. Because the layout follows component order, changing a record's
 * components changes its {@link Shape}; that is what versions and upcasters are for. Values of a
 * retired shape are read into generic form ({@link #readGeneric}): maps for records (unions add an
 * {@code "@type"} entry), lists, and boxed scalars; {@link #fromGeneric} builds the current record
 * from that form, filling components that are absent with their type's default.
 */
public final class BinaryCodec {

    /** The key under which generic union values name their variant. */
    public static final String TYPE_KEY = "@type";

    private static final ClassValue<RecordCodec> RECORDS = new ClassValue<>() {
        @Override
        protected RecordCodec computeValue(Class<?> type) {
            return new RecordCodec(type);
        }
    };

    private BinaryCodec() {}

    /** The shape of a record class. */
    public static Shape.Rec shapeOf(Class<? extends Record> type) {
        return RECORDS.get(type).shape;
    }

    /** Writes the components of {@code value} (not null) in order. */
    public static void write(Record value, Bytes<?> out) {
        RECORDS.get(value.getClass()).writeFields(out, value);
    }

    /** Reads a record of {@code type} written by {@link #write}. */
    public static <T extends Record> T read(Class<T> type, Bytes<?> in) {
        ByteReader r = ByteReader.of(in);
        T value = read(type, r);
        r.consumedFrom(in);
        return value;
    }

    /** Reads a record of {@code type} written by {@link #write}. */
    public static <T extends Record> T read(Class<T> type, ByteReader in) {
        return type.cast(RECORDS.get(type).readFields(in));
    }

    /** The reader of records of {@code type}, resolved once, for callers that read many. */
    @SuppressWarnings("unchecked")
    public static <T extends Record> Function<ByteReader, T> reader(Class<T> type) {
        RecordCodec codec = RECORDS.get(type);
        return in -> (T) codec.readFields(in);
    }

    /** Reads the fields of a record of shape {@code shape} into a mutable map, in field order. */
    public static Map<String, Object> readGeneric(Shape.Rec shape, Bytes<?> in) {
        ByteReader r = ByteReader.of(in);
        Map<String, Object> value = readGeneric(shape, r);
        r.consumedFrom(in);
        return value;
    }

    /** Reads the fields of a record of shape {@code shape} into a mutable map, in field order. */
    public static Map<String, Object> readGeneric(Shape.Rec shape, ByteReader in) {
        return readFieldsGeneric(shape, in);
    }

    /** Writes a generic record value (as {@link #readGeneric} returns it) in shape {@code shape}. */
    public static void writeGeneric(Shape.Rec shape, Map<String, Object> value, Bytes<?> out) {
        writeFieldsGeneric(shape, value, out);
    }

    /** Builds a record of {@code type} from its generic form; absent fields take their default. */
    public static <T extends Record> T fromGeneric(Class<T> type, Map<String, Object> value) {
        return type.cast(RECORDS.get(type).fromGeneric(value));
    }

    // ---- typed codecs

    private interface ValueCodec {
        Shape shape();

        void write(Bytes<?> out, Object value);

        Object read(ByteReader in);

        Object fromGeneric(Object generic);

        Object defaultValue();
    }

    private static ValueCodec codecFor(Type type) {
        if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            Type[] args = p.getActualTypeArguments();
            if (raw == List.class) {
                return new ListCodec(codecFor(args[0]));
            }
            if (raw == Map.class && args[0] == String.class) {
                return new MapCodec(codecFor(args[1]));
            }
            throw new IllegalArgumentException("unsupported type " + type);
        }
        Class<?> c = (Class<?>) type;
        if (c == String.class) {
            return ScalarCodec.STRING;
        } else if (c == int.class || c == Integer.class) {
            return ScalarCodec.INT;
        } else if (c == long.class || c == Long.class) {
            return ScalarCodec.LONG;
        } else if (c == boolean.class || c == Boolean.class) {
            return ScalarCodec.BOOLEAN;
        } else if (c == double.class || c == Double.class) {
            return ScalarCodec.DOUBLE;
        } else if (c.isEnum()) {
            return new EnumCodec(c);
        } else if (c.isRecord()) {
            return RECORDS.get(c);
        } else if (c.isSealed() && c.isInterface()) {
            return new UnionCodec(c);
        }
        throw new IllegalArgumentException("unsupported type " + type);
    }

    private enum ScalarCodec implements ValueCodec {
        STRING(Shape.Scalar.STRING, null) {
            @Override
            public void write(Bytes<?> out, Object value) {
                Utf8.write(out, (String) value);
            }

            @Override
            public Object fromGeneric(Object g) {
                return g == null ? null : g.toString();
            }
        },
        INT(Shape.Scalar.INT, 0) {
            @Override
            public void write(Bytes<?> out, Object value) {
                out.writeStopBit((long) (Integer) value);
            }

            @Override
            public Object fromGeneric(Object g) {
                return g == null ? 0 : ((Number) g).intValue();
            }
        },
        LONG(Shape.Scalar.LONG, 0L) {
            @Override
            public void write(Bytes<?> out, Object value) {
                out.writeStopBit((long) (Long) value);
            }

            @Override
            public Object fromGeneric(Object g) {
                return g == null ? 0L : ((Number) g).longValue();
            }
        },
        BOOLEAN(Shape.Scalar.BOOLEAN, false) {
            @Override
            public void write(Bytes<?> out, Object value) {
                out.writeByte((byte) ((Boolean) value ? 1 : 0));
            }

            @Override
            public Object fromGeneric(Object g) {
                return g != null && (Boolean) g;
            }
        },
        DOUBLE(Shape.Scalar.DOUBLE, 0.0) {
            @Override
            public void write(Bytes<?> out, Object value) {
                out.writeDouble((Double) value);
            }

            @Override
            public Object fromGeneric(Object g) {
                return g == null ? 0.0 : ((Number) g).doubleValue();
            }
        };

        private final Shape.Scalar shape;
        private final Object defaultValue;

        ScalarCodec(Shape.Scalar shape, Object defaultValue) {
            this.shape = shape;
            this.defaultValue = defaultValue;
        }

        @Override
        public Shape shape() {
            return shape;
        }

        /**
         * One method for all scalars, not one per constant, so that a record's field loop, which
         * tests for a scalar first, calls it directly instead of through a megamorphic interface call.
         */
        @Override
        public final Object read(ByteReader in) {
            return switch (this) {
                case STRING -> Utf8.read(in);
                case INT -> (int) in.readStopBit();
                case LONG -> in.readStopBit();
                case BOOLEAN -> in.readByte() != 0;
                case DOUBLE -> in.readDouble();
            };
        }

        @Override
        public Object defaultValue() {
            return defaultValue;
        }
    }

    private record EnumCodec(Class<?> type) implements ValueCodec {
        @Override
        public Shape shape() {
            return Shape.Scalar.STRING;
        }

        @Override
        public void write(Bytes<?> out, Object value) {
            Utf8.write(out, value == null ? null : ((Enum<?>) value).name());
        }

        @Override
        public Object read(ByteReader in) {
            return fromGeneric(Utf8.read(in));
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Object fromGeneric(Object g) {
            return g == null ? null : Enum.valueOf((Class) type, g.toString());
        }

        @Override
        public Object defaultValue() {
            return null;
        }
    }

    private record ListCodec(ValueCodec element) implements ValueCodec {
        @Override
        public Shape shape() {
            return new Shape.ListOf(element.shape());
        }

        @Override
        public void write(Bytes<?> out, Object value) {
            List<?> list = value == null ? List.of() : (List<?>) value;
            out.writeStopBit(list.size());
            for (Object o : list) {
                element.write(out, o);
            }
        }

        @Override
        public Object read(ByteReader in) {
            int n = checkedCount(in);
            if (n == 0) {
                // Most of a spec's lists are empty; the shared empty list costs a replay nothing.
                return List.of();
            }
            Object[] items = new Object[n];
            boolean nulls = false;
            for (int i = 0; i < n; i++) {
                items[i] = element.read(in);
                nulls |= items[i] == null;
            }
            // An immutable list is what the records' List.copyOf keeps as it is, instead of copying.
            return nulls ? Collections.unmodifiableList(Arrays.asList(items)) : List.of(items);
        }

        @Override
        public Object fromGeneric(Object g) {
            if (g == null) {
                return List.of();
            }
            List<?> list = (List<?>) g;
            Object[] items = new Object[list.size()];
            for (int i = 0; i < items.length; i++) {
                items[i] = element.fromGeneric(list.get(i));
            }
            return Collections.unmodifiableList(Arrays.asList(items));
        }

        @Override
        public Object defaultValue() {
            return List.of();
        }
    }

    private record MapCodec(ValueCodec value) implements ValueCodec {
        @Override
        public Shape shape() {
            return new Shape.MapOf(value.shape());
        }

        @Override
        public void write(Bytes<?> out, Object v) {
            Map<?, ?> map = v == null ? Map.of() : (Map<?, ?>) v;
            out.writeStopBit(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                Utf8.write(out, (String) e.getKey());
                value.write(out, e.getValue());
            }
        }

        @Override
        public Object read(ByteReader in) {
            int n = checkedCount(in);
            if (n == 0) {
                return Map.of();
            }
            Map<String, Object> map = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String key = Utf8.read(in);
                map.put(key, value.read(in));
            }
            return Collections.unmodifiableMap(map);
        }

        @Override
        public Object fromGeneric(Object g) {
            if (g == null) {
                return Map.of();
            }
            Map<String, Object> map = new LinkedHashMap<>();
            ((Map<?, ?>) g).forEach((k, v) -> map.put((String) k, value.fromGeneric(v)));
            return Collections.unmodifiableMap(map);
        }

        @Override
        public Object defaultValue() {
            return Map.of();
        }
    }

    /** Writes one component of a record; primitives are read through typed accessors, without boxing. */
    private interface FieldWriter {
        void write(Bytes<?> out, Object record) throws Throwable;
    }

    /**
     * A writer that calls the accessor through a functional interface made by
     * {@link LambdaMetafactory}: the appender's writer thread calls these for every field of every
     * event, and a method handle held in a field is invoked through the generic invoker, about three
     * times slower. Records the codec cannot link to that way (not public) use the handle.
     */
    private static FieldWriter fieldWriter(MethodHandles.Lookup lookup, MethodHandle accessor, Class<?> type, ValueCodec codec) {
        try {
            lookup.accessClass(accessor.type().parameterType(0));
            if (type == int.class) {
                ToIntFunction<Object> f = accessorFunction(lookup, accessor, ToIntFunction.class, "applyAsInt");
                return (out, rec) -> out.writeStopBit((long) f.applyAsInt(rec));
            }
            if (type == long.class) {
                ToLongFunction<Object> f = accessorFunction(lookup, accessor, ToLongFunction.class, "applyAsLong");
                return (out, rec) -> out.writeStopBit(f.applyAsLong(rec));
            }
            if (type == boolean.class) {
                Predicate<Object> f = accessorFunction(lookup, accessor, Predicate.class, "test");
                return (out, rec) -> out.writeByte((byte) (f.test(rec) ? 1 : 0));
            }
            if (!type.isPrimitive()) {
                Function<Object, Object> f = accessorFunction(lookup, accessor, Function.class, "apply");
                return (out, rec) -> codec.write(out, f.apply(rec));
            }
        } catch (IllegalAccessException | LambdaConversionException | IllegalArgumentException e) {
            // falls back to the handle below
        }
        return handleWriter(accessor, type, codec);
    }

    @SuppressWarnings("unchecked")
    private static <F> F accessorFunction(MethodHandles.Lookup lookup, MethodHandle accessor, Class<?> iface, String method)
            throws LambdaConversionException {
        Class<?> returned = accessor.type().returnType();
        MethodType erased = MethodType.methodType(returned.isPrimitive() ? returned : Object.class, Object.class);
        CallSite site = LambdaMetafactory.metafactory(lookup, method, MethodType.methodType(iface), erased, accessor,
                accessor.type());
        try {
            return (F) site.getTarget().invoke();
        } catch (Throwable t) {
            throw new LambdaConversionException("cannot make the accessor function of " + accessor, t);
        }
    }

    private static FieldWriter handleWriter(MethodHandle accessor, Class<?> type, ValueCodec codec) {
        if (type == int.class) {
            MethodHandle h = accessor.asType(MethodType.methodType(int.class, Object.class));
            return (out, rec) -> out.writeStopBit((long) (int) h.invokeExact(rec));
        }
        if (type == long.class) {
            MethodHandle h = accessor.asType(MethodType.methodType(long.class, Object.class));
            return (out, rec) -> out.writeStopBit((long) h.invokeExact(rec));
        }
        if (type == boolean.class) {
            MethodHandle h = accessor.asType(MethodType.methodType(boolean.class, Object.class));
            return (out, rec) -> out.writeByte((byte) ((boolean) h.invokeExact(rec) ? 1 : 0));
        }
        MethodHandle h = accessor.asType(MethodType.methodType(Object.class, Object.class));
        return (out, rec) -> codec.write(out, (Object) h.invokeExact(rec));
    }

    private static final class RecordCodec implements ValueCodec {
        final Class<?> type;
        final String[] names;
        final FieldWriter[] writers;
        final ValueCodec[] fields;
        final MethodHandle constructor;
        final Shape.Rec shape;

        RecordCodec(Class<?> type) {
            if (!type.isRecord()) {
                throw new IllegalArgumentException(type + " is not a record");
            }
            this.type = type;
            RecordComponent[] components = type.getRecordComponents();
            int n = components.length;
            names = new String[n];
            writers = new FieldWriter[n];
            fields = new ValueCodec[n];
            Class<?>[] types = new Class<?>[n];
            List<Shape.Field> shapeFields = new ArrayList<>(n);
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            try {
                for (int i = 0; i < n; i++) {
                    RecordComponent rc = components[i];
                    names[i] = rc.getName();
                    types[i] = rc.getType();
                    var accessor = rc.getAccessor();
                    accessor.setAccessible(true);
                    MethodHandle raw = lookup.unreflect(accessor);
                    fields[i] = codecFor(rc.getGenericType());
                    writers[i] = fieldWriter(lookup, raw, rc.getType(), fields[i]);
                    shapeFields.add(new Shape.Field(names[i], fields[i].shape()));
                }
                Constructor<?> ctor = type.getDeclaredConstructor(types);
                ctor.setAccessible(true);
                constructor = lookup.unreflectConstructor(ctor)
                        .asType(MethodType.methodType(Object.class, types))
                        .asSpreader(Object[].class, n);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot build codec for " + type, e);
            }
            shape = new Shape.Rec(type.getSimpleName(), shapeFields);
        }

        void writeFields(Bytes<?> out, Object value) {
            try {
                for (FieldWriter w : writers) {
                    w.write(out, value);
                }
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        Object readFields(ByteReader in) {
            Object[] args = new Object[fields.length];
            for (int i = 0; i < fields.length; i++) {
                ValueCodec f = fields[i];
                args[i] = f instanceof ScalarCodec scalar ? scalar.read(in) : f.read(in);
            }
            return construct(args);
        }

        Object construct(Object[] args) {
            try {
                return (Object) constructor.invokeExact(args);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        @Override
        public Shape shape() {
            return shape;
        }

        @Override
        public void write(Bytes<?> out, Object value) {
            out.writeByte((byte) (value == null ? 0 : 1));
            if (value != null) {
                writeFields(out, value);
            }
        }

        @Override
        public Object read(ByteReader in) {
            return in.readByte() == 0 ? null : readFields(in);
        }

        @Override
        public Object fromGeneric(Object g) {
            if (g == null) {
                return null;
            }
            Map<?, ?> map = (Map<?, ?>) g;
            Object[] args = new Object[fields.length];
            for (int i = 0; i < fields.length; i++) {
                args[i] = map.containsKey(names[i]) ? fields[i].fromGeneric(map.get(names[i])) : fields[i].defaultValue();
            }
            return construct(args);
        }

        @Override
        public Object defaultValue() {
            return null;
        }
    }

    private static final class UnionCodec implements ValueCodec {
        final Map<String, RecordCodec> byName = new LinkedHashMap<>();
        final Shape.Union shape;

        UnionCodec(Class<?> sealed) {
            List<Shape.Rec> variants = new ArrayList<>();
            for (Class<?> c : sealed.getPermittedSubclasses()) {
                RecordCodec rc = RECORDS.get(c);
                byName.put(c.getSimpleName(), rc);
                variants.add(rc.shape);
            }
            shape = new Shape.Union(variants);
        }

        @Override
        public Shape shape() {
            return shape;
        }

        @Override
        public void write(Bytes<?> out, Object value) {
            if (value == null) {
                Utf8.write(out, null);
                return;
            }
            Utf8.write(out, value.getClass().getSimpleName());
            RECORDS.get(value.getClass()).writeFields(out, value);
        }

        @Override
        public Object read(ByteReader in) {
            String name = Utf8.read(in);
            if (name == null) {
                return null;
            }
            return variant(name).readFields(in);
        }

        private RecordCodec variant(String name) {
            RecordCodec rc = byName.get(name);
            if (rc == null) {
                throw new IllegalArgumentException("unknown variant " + name);
            }
            return rc;
        }

        @Override
        public Object fromGeneric(Object g) {
            if (g == null) {
                return null;
            }
            return variant((String) ((Map<?, ?>) g).get(TYPE_KEY)).fromGeneric(g);
        }

        @Override
        public Object defaultValue() {
            return null;
        }
    }

    // ---- generic codecs (by shape, for retired versions)

    private static Map<String, Object> readFieldsGeneric(Shape.Rec shape, ByteReader in) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Shape.Field f : shape.fields()) {
            map.put(f.name(), readGenericValue(f.shape(), in));
        }
        return map;
    }

    private static Object readGenericValue(Shape shape, ByteReader in) {
        return switch (shape) {
            case Shape.Scalar s -> switch (s) {
                case STRING -> Utf8.read(in);
                case INT -> (int) in.readStopBit();
                case LONG -> in.readStopBit();
                case BOOLEAN -> in.readByte() != 0;
                case DOUBLE -> in.readDouble();
            };
            case Shape.ListOf l -> {
                int n = checkedCount(in);
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(readGenericValue(l.element(), in));
                }
                yield list;
            }
            case Shape.MapOf m -> {
                int n = checkedCount(in);
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    String key = Utf8.read(in);
                    map.put(key, readGenericValue(m.value(), in));
                }
                yield map;
            }
            case Shape.Rec r -> in.readByte() == 0 ? null : readFieldsGeneric(r, in);
            case Shape.Union u -> {
                String name = Utf8.read(in);
                if (name == null) {
                    yield null;
                }
                Shape.Rec variant = u.variant(name);
                if (variant == null) {
                    throw new IllegalArgumentException("unknown variant " + name);
                }
                Map<String, Object> map = new LinkedHashMap<>();
                map.put(TYPE_KEY, name);
                map.putAll(readFieldsGeneric(variant, in));
                yield map;
            }
        };
    }

    private static void writeFieldsGeneric(Shape.Rec shape, Map<?, ?> value, Bytes<?> out) {
        for (Shape.Field f : shape.fields()) {
            writeGenericValue(f.shape(), value.get(f.name()), out);
        }
    }

    private static void writeGenericValue(Shape shape, Object v, Bytes<?> out) {
        switch (shape) {
            case Shape.Scalar s -> {
                switch (s) {
                    case STRING -> Utf8.write(out, v == null ? null : v.toString());
                    case INT, LONG -> out.writeStopBit(v == null ? 0L : ((Number) v).longValue());
                    case BOOLEAN -> out.writeByte((byte) (Boolean.TRUE.equals(v) ? 1 : 0));
                    case DOUBLE -> out.writeDouble(v == null ? 0.0 : ((Number) v).doubleValue());
                }
            }
            case Shape.ListOf l -> {
                List<?> list = v == null ? List.of() : (List<?>) v;
                out.writeStopBit(list.size());
                for (Object o : list) {
                    writeGenericValue(l.element(), o, out);
                }
            }
            case Shape.MapOf m -> {
                Map<?, ?> map = v == null ? Map.of() : (Map<?, ?>) v;
                out.writeStopBit(map.size());
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    Utf8.write(out, (String) e.getKey());
                    writeGenericValue(m.value(), e.getValue(), out);
                }
            }
            case Shape.Rec r -> {
                out.writeByte((byte) (v == null ? 0 : 1));
                if (v != null) {
                    writeFieldsGeneric(r, (Map<?, ?>) v, out);
                }
            }
            case Shape.Union u -> {
                if (v == null) {
                    Utf8.write(out, null);
                } else {
                    String name = (String) ((Map<?, ?>) v).get(TYPE_KEY);
                    Utf8.write(out, name);
                    writeFieldsGeneric(u.variant(name), (Map<?, ?>) v, out);
                }
            }
        }
    }

    /** A count read from damaged input can be huge; refuse it before allocating. */
    private static int checkedCount(ByteReader in) {
        long n = in.readStopBit();
        if (n < 0 || n > in.readRemaining()) {
            throw new IllegalArgumentException("bad element count " + n + " at offset " + in.readPosition());
        }
        return (int) n;
    }
}
