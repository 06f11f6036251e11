package io.berth.events.state;

import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import org.pcollections.PSet;

/**
 * The engine state's persistent set: the keys of a {@link ChampMap} that maps each element to
 * itself, so adding or removing one copies a short path and needs no tree rebalancing. Immutable;
 * {@code null} elements are not allowed, and the {@link java.util.Set} mutators throw.
 */
public final class ChampSet<E> extends AbstractSet<E> implements PSet<E> {

    @SuppressWarnings("rawtypes")
    private static final ChampSet EMPTY = new ChampSet<>(ChampMap.empty());

    private final ChampMap<E, E> map;

    private ChampSet(ChampMap<E, E> map) {
        this.map = map;
    }

    @SuppressWarnings("unchecked")
    public static <E> ChampSet<E> empty() {
        return (ChampSet<E>) EMPTY;
    }

    @Override
    public int size() {
        return map.size();
    }

    @Override
    public boolean contains(Object o) {
        return map.containsKey(o);
    }

    @Override
    public Iterator<E> iterator() {
        return map.keySet().iterator();
    }

    @Override
    public ChampSet<E> plus(E e) {
        ChampMap<E, E> m = map.plus(e, e);
        return m == map ? this : new ChampSet<>(m);
    }

    @Override
    public ChampSet<E> plusAll(Collection<? extends E> elements) {
        ChampSet<E> s = this;
        for (E e : elements) {
            s = s.plus(e);
        }
        return s;
    }

    @Override
    public ChampSet<E> minus(Object e) {
        ChampMap<E, E> m = map.minus(e);
        return m == map ? this : new ChampSet<>(m);
    }

    @Override
    public ChampSet<E> minusAll(Collection<?> elements) {
        ChampSet<E> s = this;
        for (Object e : elements) {
            s = s.minus(e);
        }
        return s;
    }
}
