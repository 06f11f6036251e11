package io.berth.daemon.container;

import io.berth.errors.EngineException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Docker's rules for container ids and names: 64-hex random ids, validated or generated names. */
public final class Names {

    private static final Pattern VALID = Pattern.compile("^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$");
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final String[] LEFT = {"admiring", "brave", "calm", "clever", "dazzling", "eager", "elastic",
        "focused", "gallant", "happy", "hopeful", "jolly", "keen", "lucid", "modest", "nifty", "peaceful",
        "quirky", "relaxed", "sharp", "stoic", "tender", "upbeat", "vibrant", "wizardly", "youthful", "zealous"};
    private static final String[] RIGHT = {"agnesi", "babbage", "curie", "darwin", "euclid", "feynman", "galois",
        "hopper", "hypatia", "johnson", "kepler", "lamport", "lovelace", "meitner", "noether", "pascal",
        "ritchie", "shannon", "thompson", "turing", "wozniak", "yalow", "zuse"};

    private Names() {}

    /** A new random 64-hex id. */
    public static String newId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        String id = HexFormat.of().formatHex(b);
        // Docker avoids all-digit short ids, which look like numbers to humans and tools.
        return id.substring(0, 12).chars().allMatch(Character::isDigit) ? newId() : id;
    }

    /**
     * Checks a user-given name and strips a leading slash.
     *
     * @throws EngineException INVALID_ARGUMENT with Docker's message
     */
    public static String validate(String name) {
        if (!VALID.matcher(name).matches()) {
            throw EngineException.invalid("Invalid container name (" + name + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        return name.startsWith("/") ? name.substring(1) : name;
    }

    /** A random {@code adjective_scientist} name that {@code taken} does not reject. */
    public static String generate(Predicate<String> taken) {
        for (int i = 0; ; i++) {
            String name = LEFT[RANDOM.nextInt(LEFT.length)] + "_" + RIGHT[RANDOM.nextInt(RIGHT.length)]
                    + (i > 5 ? String.valueOf(RANDOM.nextInt(10)) : "");
            if (!taken.test(name)) {
                return name;
            }
        }
    }
}
