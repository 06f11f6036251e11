package io.berth.daemon.network;

import io.berth.errors.EngineException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the distro's CNI plugin binaries by the CNI protocol: the plugin named by the config's
 * {@code type} is executed from {@code pluginDir} with {@code CNI_COMMAND}, {@code CNI_CONTAINERID},
 * {@code CNI_NETNS}, {@code CNI_IFNAME} and {@code CNI_PATH} in its environment and the config on
 * its stdin; it answers a result (ADD) or nothing (DEL) on stdout, or an error object and a non-zero
 * exit. Blocking.
 */
public final class CniPlugins {

    private static final long TIMEOUT_SECONDS = 60;

    private final Path pluginDir;

    public CniPlugins(Path pluginDir) {
        this.pluginDir = pluginDir;
    }

    /** The plugin directory of the distro's containernetworking-plugins. */
    public static Path defaultDir() {
        return Path.of("/usr/lib/cni");
    }

    public Path dir() {
        return pluginDir;
    }

    /** Runs ADD; returns the plugin's result. */
    public JsonObject add(JsonObject config, String containerId, String netns, String ifname) {
        String out = exec("ADD", config, containerId, netns, ifname);
        try {
            return new JsonObject(out);
        } catch (DecodeException e) {
            throw EngineException.internal("CNI plugin " + config.getString("type") + " gave no result: " + out, e);
        }
    }

    /** Runs DEL, which the plugins make idempotent: what is already gone is no error. */
    public void del(JsonObject config, String containerId, String netns, String ifname) {
        exec("DEL", config, containerId, netns, ifname);
    }

    private String exec(String command, JsonObject config, String containerId, String netns, String ifname) {
        String type = config.getString("type");
        Path plugin = pluginDir.resolve(type);
        if (!Files.isExecutable(plugin)) {
            throw EngineException.internal("CNI plugin " + plugin + " is missing: install containernetworking-plugins", null);
        }
        ProcessBuilder pb = new ProcessBuilder(List.of(plugin.toString()));
        Map<String, String> env = pb.environment();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", netns);
        env.put("CNI_IFNAME", ifname);
        env.put("CNI_PATH", pluginDir.toString());
        pb.redirectErrorStream(false);
        try {
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(config.encode().getBytes(StandardCharsets.UTF_8));
            }
            byte[] err;
            byte[] out;
            try (InputStream o = p.getInputStream(); InputStream e = p.getErrorStream()) {
                out = o.readAllBytes();
                err = e.readAllBytes();
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw EngineException.internal("CNI plugin " + type + " " + command + " timed out", null);
            }
            String text = new String(out, StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                throw EngineException.internal("CNI plugin " + type + " " + command + " failed: "
                        + errorMessage(text, new String(err, StandardCharsets.UTF_8).trim()), null);
            }
            return text;
        } catch (IOException e) {
            throw EngineException.internal("running CNI plugin " + type + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw EngineException.internal("interrupted running CNI plugin " + type, e);
        }
    }

    /** The {@code msg} and {@code details} of a CNI error object, else the raw output. */
    static String errorMessage(String stdout, String stderr) {
        try {
            JsonObject e = new JsonObject(stdout);
            String msg = e.getString("msg", "");
            String details = e.getString("details", "");
            return details.isEmpty() ? msg : msg + ": " + details;
        } catch (DecodeException | ClassCastException e) {
            return stdout.isEmpty() ? stderr : stdout;
        }
    }
}
