package io.berth.daemon.image;

import io.berth.errors.EngineException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Content digests as the image spec writes them ({@code sha256:<64 hex>}), and the chain IDs that name
 * a stack of layers: {@code ChainID(L0) = DiffID(L0)}, {@code ChainID(L0..Ln) = sha256(ChainID(L0..Ln-1)
 * + " " + DiffID(Ln))}, so two images with the same lower layers share their unpacked directories.
 */
public final class Digests {
    public static final String PREFIX = "sha256:";
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    private Digests() {}

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    public static String hexOf(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    public static boolean isDigest(String s) {
        return s != null && DIGEST.matcher(s).matches();
    }

    public static boolean isHex(String s) {
        return s != null && HEX.matcher(s).matches();
    }

    /** The hex part of {@code sha256:<hex>}; anything else is a caller error. */
    public static String hexOf(String digest, String what) {
        if (!isDigest(digest)) {
            throw EngineException.invalid("invalid " + what + " \"" + digest + "\": expected sha256:<64 lowercase hex digits>");
        }
        return digest.substring(PREFIX.length());
    }

    /** The chain ID of each prefix of {@code diffIds}, lowest first. */
    public static List<String> chainIds(List<String> diffIds) {
        List<String> chain = new ArrayList<>(diffIds.size());
        String previous = null;
        for (String diffId : diffIds) {
            previous = previous == null ? diffId
                    : PREFIX + hexOf((previous + " " + diffId).getBytes(StandardCharsets.UTF_8));
            chain.add(previous);
        }
        return chain;
    }
}
