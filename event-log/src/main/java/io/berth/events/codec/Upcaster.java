package io.berth.events.codec;

import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Turns a payload of event {@code name} at {@code fromVersion}, read in its retired {@code fromShape},
 * into the payload of version {@code fromVersion + 1}.
 *
 * <p>Upcasters work on the generic form ({@link BinaryCodec#readGeneric}): the transform receives a
 * mutable map and returns the next version's map (usually the same one, edited). Fields it does not
 * mention keep their values; fields the next version adds and the transform does not set take their
 * type's default.
 */
public record Upcaster(String name, int fromVersion, Shape.Rec fromShape,
                       UnaryOperator<Map<String, Object>> transform) {}
