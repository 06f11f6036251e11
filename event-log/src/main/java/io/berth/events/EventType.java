package io.berth.events;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The stable logical name and schema version of an event record: what the journal writes instead of
 * a Java class name, as {@code name + ".v" + version} (for example {@code container.started.v1}).
 *
 * <p>Renaming or moving the record class is free; changing its components is a new version, with the
 * old schema kept in {@link io.berth.events.codec.Upcasters} so old journals stay readable.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface EventType {
    String name();

    int version();
}
