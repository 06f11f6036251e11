package io.berth.events.state;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import org.pcollections.PMap;

/**
 * The engine state's persistent map: a hash array mapped trie in the compressed (CHAMP) layout,
 * with entries and sub-nodes of a node in one array indexed by two bitmaps. An update copies one
 * short path of small arrays, so replaying a journal allocates a fraction of what a balanced tree
 * does. Immutable; {@code null} keys and values are not allowed.
 */
public final class ChampMap<K, V> extends AbstractMap<K, V> implements PMap<K, V> {

    private static final int BITS = 5;
    private static final int MASK = 31;
    private static final int MAX_SHIFT = 30;

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final ChampMap EMPTY = new ChampMap(BitmapNode.EMPTY, 0);

    private final Node root;
    private final int size;

    private ChampMap(Node root, int size) {
        this.root = root;
        this.size = size;
    }

    @SuppressWarnings("unchecked")
    public static <K, V> ChampMap<K, V> empty() {
        return (ChampMap<K, V>) EMPTY;
    }

    /** Whether a put or remove changed the number of entries. */
    private static final class Change {
        boolean sizeChanged;
    }

    private sealed interface Node permits BitmapNode, CollisionNode {
        Object find(Object key, int hash, int shift);

        Node put(Object key, Object value, int hash, int shift, Change change);

        Node remove(Object key, int hash, int shift, Change change);

        int entries();

        int nodes();

        Object keyAt(int i);

        Object valueAt(int i);

        Node nodeAt(int i);
    }

    private static int hash(Object key) {
        int h = key.hashCode();
        return h ^ (h >>> 16);
    }

    /**
     * Key equality that asks {@code equals} only of a different instance: the replay hands the fold
     * the key instances its maps hold, and an identical key then costs no load of the stored one.
     */
    private static boolean same(Object stored, Object key) {
        return stored == key || stored.equals(key);
    }

    private static int bit(int hash, int shift) {
        return 1 << ((hash >>> shift) & MASK);
    }

    /** Entries as key, value pairs from the front; sub-nodes from the back. */
    private static final class BitmapNode implements Node {
        static final BitmapNode EMPTY = new BitmapNode(0, 0, new Object[0]);

        final int dataMap;
        final int nodeMap;
        final Object[] content;

        BitmapNode(int dataMap, int nodeMap, Object[] content) {
            this.dataMap = dataMap;
            this.nodeMap = nodeMap;
            this.content = content;
        }

        private int dataIndex(int bit) {
            return Integer.bitCount(dataMap & (bit - 1));
        }

        private int nodeSlot(int bit) {
            return content.length - 1 - Integer.bitCount(nodeMap & (bit - 1));
        }

        @Override
        public Object find(Object key, int hash, int shift) {
            int bit = bit(hash, shift);
            if ((dataMap & bit) != 0) {
                int i = 2 * dataIndex(bit);
                return same(content[i], key) ? content[i + 1] : null;
            }
            if ((nodeMap & bit) != 0) {
                return ((Node) content[nodeSlot(bit)]).find(key, hash, shift + BITS);
            }
            return null;
        }

        @Override
        public Node put(Object key, Object value, int hash, int shift, Change change) {
            int bit = bit(hash, shift);
            if ((dataMap & bit) != 0) {
                int i = 2 * dataIndex(bit);
                Object k = content[i];
                if (same(k, key)) {
                    if (content[i + 1] == value) {
                        return this;
                    }
                    Object[] c = content.clone();
                    c[i + 1] = value;
                    return new BitmapNode(dataMap, nodeMap, c);
                }
                change.sizeChanged = true;
                Node merged = merge(k, content[i + 1], hash(k), key, value, hash, shift + BITS);
                return dataToNode(bit, i, merged);
            }
            if ((nodeMap & bit) != 0) {
                int slot = nodeSlot(bit);
                Node child = (Node) content[slot];
                Node updated = child.put(key, value, hash, shift + BITS, change);
                if (updated == child) {
                    return this;
                }
                Object[] c = content.clone();
                c[slot] = updated;
                return new BitmapNode(dataMap, nodeMap, c);
            }
            change.sizeChanged = true;
            int i = 2 * dataIndex(bit);
            Object[] c = new Object[content.length + 2];
            System.arraycopy(content, 0, c, 0, i);
            c[i] = key;
            c[i + 1] = value;
            System.arraycopy(content, i, c, i + 2, content.length - i);
            return new BitmapNode(dataMap | bit, nodeMap, c);
        }

        /** Replaces the entry at {@code i} with a sub-node holding it and its new neighbour. */
        private Node dataToNode(int bit, int i, Node node) {
            Object[] c = new Object[content.length - 1];
            System.arraycopy(content, 0, c, 0, i);
            int newSlot = c.length - 1 - Integer.bitCount(nodeMap & (bit - 1));
            // Entries after i shift left by two; sub-nodes before newSlot (in array order) shift left by one.
            System.arraycopy(content, i + 2, c, i, newSlot - i);
            c[newSlot] = node;
            System.arraycopy(content, newSlot + 2, c, newSlot + 1, content.length - newSlot - 2);
            return new BitmapNode(dataMap ^ bit, nodeMap | bit, c);
        }

        /** Replaces the sub-node of {@code bit} with the single entry it shrank to. */
        private Node nodeToData(int bit, Object key, Object value) {
            int oldSlot = nodeSlot(bit);
            int i = 2 * Integer.bitCount(dataMap & (bit - 1));
            Object[] c = new Object[content.length + 1];
            System.arraycopy(content, 0, c, 0, i);
            c[i] = key;
            c[i + 1] = value;
            System.arraycopy(content, i, c, i + 2, oldSlot - i);
            System.arraycopy(content, oldSlot + 1, c, oldSlot + 2, content.length - oldSlot - 1);
            return new BitmapNode(dataMap | bit, nodeMap ^ bit, c);
        }

        @Override
        public Node remove(Object key, int hash, int shift, Change change) {
            int bit = bit(hash, shift);
            if ((dataMap & bit) != 0) {
                int i = 2 * dataIndex(bit);
                if (!same(content[i], key)) {
                    return this;
                }
                change.sizeChanged = true;
                Object[] c = new Object[content.length - 2];
                System.arraycopy(content, 0, c, 0, i);
                System.arraycopy(content, i + 2, c, i, content.length - i - 2);
                return new BitmapNode(dataMap ^ bit, nodeMap, c);
            }
            if ((nodeMap & bit) != 0) {
                int slot = nodeSlot(bit);
                Node child = (Node) content[slot];
                Node updated = child.remove(key, hash, shift + BITS, change);
                if (updated == child) {
                    return this;
                }
                if (updated.nodes() == 0 && updated.entries() == 1) {
                    // Keep the trie canonical: a lone entry lives in its parent.
                    return nodeToData(bit, updated.keyAt(0), updated.valueAt(0));
                }
                Object[] c = content.clone();
                c[slot] = updated;
                return new BitmapNode(dataMap, nodeMap, c);
            }
            return this;
        }

        @Override
        public int entries() {
            return Integer.bitCount(dataMap);
        }

        @Override
        public int nodes() {
            return Integer.bitCount(nodeMap);
        }

        @Override
        public Object keyAt(int i) {
            return content[2 * i];
        }

        @Override
        public Object valueAt(int i) {
            return content[2 * i + 1];
        }

        @Override
        public Node nodeAt(int i) {
            return (Node) content[content.length - 1 - i];
        }
    }

    private static Node merge(Object k1, Object v1, int h1, Object k2, Object v2, int h2, int shift) {
        if (shift > MAX_SHIFT) {
            return new CollisionNode(h1, new Object[] {k1, v1, k2, v2});
        }
        int b1 = bit(h1, shift);
        int b2 = bit(h2, shift);
        if (b1 == b2) {
            return new BitmapNode(0, b1, new Object[] {merge(k1, v1, h1, k2, v2, h2, shift + BITS)});
        }
        // Compare unsigned: slot 31's bit is the sign bit.
        return Integer.compareUnsigned(b1, b2) < 0 ? new BitmapNode(b1 | b2, 0, new Object[] {k1, v1, k2, v2})
                : new BitmapNode(b1 | b2, 0, new Object[] {k2, v2, k1, v1});
    }

    /** Entries whose 32-bit hashes are all equal. */
    private static final class CollisionNode implements Node {
        final int hash;
        final Object[] pairs;

        CollisionNode(int hash, Object[] pairs) {
            this.hash = hash;
            this.pairs = pairs;
        }

        private int indexOf(Object key) {
            for (int i = 0; i < pairs.length; i += 2) {
                if (same(pairs[i], key)) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public Object find(Object key, int h, int shift) {
            int i = indexOf(key);
            return i < 0 ? null : pairs[i + 1];
        }

        @Override
        public Node put(Object key, Object value, int h, int shift, Change change) {
            int i = indexOf(key);
            if (i >= 0) {
                Object[] c = pairs.clone();
                c[i + 1] = value;
                return new CollisionNode(hash, c);
            }
            change.sizeChanged = true;
            Object[] c = Arrays.copyOf(pairs, pairs.length + 2);
            c[pairs.length] = key;
            c[pairs.length + 1] = value;
            return new CollisionNode(hash, c);
        }

        @Override
        public Node remove(Object key, int h, int shift, Change change) {
            int i = indexOf(key);
            if (i < 0) {
                return this;
            }
            change.sizeChanged = true;
            Object[] c = new Object[pairs.length - 2];
            System.arraycopy(pairs, 0, c, 0, i);
            System.arraycopy(pairs, i + 2, c, i, pairs.length - i - 2);
            return new CollisionNode(hash, c);
        }

        @Override
        public int entries() {
            return pairs.length / 2;
        }

        @Override
        public int nodes() {
            return 0;
        }

        @Override
        public Object keyAt(int i) {
            return pairs[2 * i];
        }

        @Override
        public Object valueAt(int i) {
            return pairs[2 * i + 1];
        }

        @Override
        public Node nodeAt(int i) {
            throw new IndexOutOfBoundsException(i);
        }
    }

    // ---- Map

    @Override
    public int size() {
        return size;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        return key == null ? null : (V) root.find(key, hash(key), 0);
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public ChampMap<K, V> plus(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Change change = new Change();
        Node r = root.put(key, value, hash(key), 0, change);
        return r == root ? this : new ChampMap<>(r, change.sizeChanged ? size + 1 : size);
    }

    @Override
    public ChampMap<K, V> minus(Object key) {
        if (key == null) {
            return this;
        }
        Change change = new Change();
        Node r = root.remove(key, hash(key), 0, change);
        return r == root ? this : new ChampMap<>(r, size - 1);
    }

    @Override
    public ChampMap<K, V> plusAll(Map<? extends K, ? extends V> map) {
        ChampMap<K, V> m = this;
        for (Map.Entry<? extends K, ? extends V> e : map.entrySet()) {
            m = m.plus(e.getKey(), e.getValue());
        }
        return m;
    }

    @Override
    public ChampMap<K, V> minusAll(Collection<?> keys) {
        ChampMap<K, V> m = this;
        for (Object k : keys) {
            m = m.minus(k);
        }
        return m;
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<K, V>> iterator() {
                return new Entries<>(root);
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    /** Depth-first walk: a node's entries, then its sub-nodes. */
    private static final class Entries<K, V> implements Iterator<Map.Entry<K, V>> {
        private final ArrayDeque<Node> pending = new ArrayDeque<>();
        private Node current;
        private int index;

        Entries(Node root) {
            current = root;
            pushChildren(root);
            advance();
        }

        private void pushChildren(Node n) {
            for (int i = 0; i < n.nodes(); i++) {
                pending.push(n.nodeAt(i));
            }
        }

        private void advance() {
            while (current != null && index >= current.entries()) {
                current = pending.poll();
                index = 0;
                if (current != null) {
                    pushChildren(current);
                }
            }
        }

        @Override
        public boolean hasNext() {
            return current != null;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Map.Entry<K, V> next() {
            if (current == null) {
                throw new NoSuchElementException();
            }
            Map.Entry<K, V> e = new SimpleImmutableEntry<>((K) current.keyAt(index), (V) current.valueAt(index));
            index++;
            advance();
            return e;
        }
    }

    // ---- PMap's mutators are refused, as in every persistent map

    @Override
    @Deprecated
    public V put(K key, V value) {
        throw new UnsupportedOperationException("persistent map: use plus");
    }

    @Override
    @Deprecated
    public V remove(Object key) {
        throw new UnsupportedOperationException("persistent map: use minus");
    }

    @Override
    @Deprecated
    public void putAll(Map<? extends K, ? extends V> m) {
        throw new UnsupportedOperationException("persistent map: use plusAll");
    }

    @Override
    @Deprecated
    public void clear() {
        throw new UnsupportedOperationException("persistent map: use empty()");
    }
}
