package io.berth.daemon.network;

import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * IPv4 subnets of bridge networks: parsing, overlap, and the pick of a free one for a network
 * created without a subnet (Docker's pools: 172.18.0.0/16 to 172.31.0.0/16, then 192.168.N.0/20).
 * Pure, but for {@link #hostRoutes}.
 */
public final class Subnets {

    private Subnets() {}

    /** {@code a.b.c.d/n} with the host bits cleared; anything else is a 400. */
    public static String normalize(String cidr) {
        long[] p = parse(cidr);
        return format(p[0]) + "/" + p[1];
    }

    /** Address and prefix length. */
    static long[] parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw EngineException.invalid("invalid CIDR address: " + cidr);
        }
        int len;
        try {
            len = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw EngineException.invalid("invalid CIDR address: " + cidr);
        }
        if (len < 8 || len > 30) {
            throw EngineException.invalid("invalid subnet prefix length: " + cidr);
        }
        long addr = address(cidr.substring(0, slash));
        long mask = mask(len);
        return new long[] {addr & mask, len};
    }

    static long address(String dotted) {
        String[] parts = dotted.split("\\.");
        if (parts.length != 4) {
            throw EngineException.invalid("invalid IPv4 address: " + dotted);
        }
        long a = 0;
        for (String part : parts) {
            int b;
            try {
                b = Integer.parseInt(part);
            } catch (NumberFormatException e) {
                throw EngineException.invalid("invalid IPv4 address: " + dotted);
            }
            if (b < 0 || b > 255) {
                throw EngineException.invalid("invalid IPv4 address: " + dotted);
            }
            a = (a << 8) | b;
        }
        return a;
    }

    private static long mask(long len) {
        return len == 0 ? 0 : (0xffffffffL << (32 - len)) & 0xffffffffL;
    }

    static String format(long a) {
        return ((a >> 24) & 255) + "." + ((a >> 16) & 255) + "." + ((a >> 8) & 255) + "." + (a & 255);
    }

    /** Whether two subnets share an address. */
    public static boolean overlap(String a, String b) {
        long[] x = parse(a);
        long[] y = parse(b);
        long m = mask(Math.min(x[1], y[1]));
        return (x[0] & m) == (y[0] & m);
    }

    /** Whether {@code address} (dotted) lies in {@code cidr}. */
    public static boolean contains(String cidr, String address) {
        long[] net = parse(cidr);
        return (address(address) & mask(net[1])) == net[0];
    }

    /** The first host address of a subnet, the bridge's (gateway) address. */
    public static String firstHost(String cidr) {
        return format(parse(cidr)[0] + 1);
    }

    /** The first of Docker's pools that overlaps none of {@code used}. */
    public static String pick(List<String> used) {
        List<String> pools = new ArrayList<>();
        for (int i = 18; i <= 31; i++) {
            pools.add("172." + i + ".0.0/16");
        }
        for (int i = 0; i < 256; i += 16) {
            pools.add("192.168." + i + ".0/20");
        }
        for (String p : pools) {
            if (used.stream().noneMatch(u -> overlap(u, p))) {
                return p;
            }
        }
        throw new EngineException(ErrorKind.UNAVAILABLE,
                "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network");
    }

    /** The subnets of the host's IPv4 routes other than the default route (from /proc/net/route). */
    public static List<String> hostRoutes() {
        List<String> out = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/route"));
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 8 || f[0].startsWith("berth")) {
                    continue;
                }
                long dst = Long.reverseBytes(Long.parseLong(f[1], 16) << 32) & 0xffffffffL;
                long mask = Long.reverseBytes(Long.parseLong(f[7], 16) << 32) & 0xffffffffL;
                int len = Long.bitCount(mask);
                if (len >= 8 && len <= 30) {
                    out.add(format(dst) + "/" + len);
                }
            }
        } catch (IOException | RuntimeException e) {
            // No routing table to read: nothing to avoid.
        }
        return out;
    }
}
