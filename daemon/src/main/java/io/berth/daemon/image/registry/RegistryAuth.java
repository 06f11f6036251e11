package io.berth.daemon.image.registry;

import io.berth.errors.EngineException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Credentials a client hands the daemon for one registry: the {@code X-Registry-Auth} header of a pull
 * or push (base64url JSON, as the CLI sends it after {@code docker login}) or the body of
 * {@code POST /auth}. Never journaled, never logged.
 *
 * @param username      empty when anonymous
 * @param password      empty when anonymous
 * @param identityToken an OAuth refresh token a registry handed out at login, or empty
 */
public record RegistryAuth(String username, String password, String identityToken) {
    public static final RegistryAuth ANONYMOUS = new RegistryAuth("", "", "");

    public RegistryAuth {
        username = username == null ? "" : username;
        password = password == null ? "" : password;
        identityToken = identityToken == null ? "" : identityToken;
    }

    public boolean anonymous() {
        return username.isEmpty() && identityToken.isEmpty();
    }

    /** The header's credentials; an absent or empty header is anonymous. */
    public static RegistryAuth fromHeader(String header) {
        if (header == null || header.isBlank() || header.equals("e30") || header.equals("e30=")) {
            return ANONYMOUS;
        }
        try {
            byte[] json = Base64.getUrlDecoder().decode(header.strip().replace('+', '-').replace('/', '_'));
            return fromJson(new JsonObject(new String(json, StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
            throw EngineException.invalid("invalid X-Registry-Auth header: not base64url-encoded JSON");
        }
    }

    /** From the JSON object Docker's AuthConfig is (the login body or the decoded header). */
    public static RegistryAuth fromJson(JsonObject o) {
        return new RegistryAuth(o.getString("username"), o.getString("password"), o.getString("identitytoken"));
    }

    @Override
    public String toString() {
        return anonymous() ? "RegistryAuth[anonymous]" : "RegistryAuth[" + username + ", ***]";
    }
}
