package io.berth.daemon.container;

import io.berth.daemon.api.Json;
import io.berth.daemon.runtime.spec.Capabilities;
import io.berth.daemon.runtime.spec.SeccompProfiles;
import io.berth.errors.EngineException;
import io.berth.events.ContainerSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The confinement part of a create body's {@code HostConfig}: {@code Privileged}, {@code CapAdd},
 * {@code CapDrop}, {@code ReadonlyRootfs}, {@code SecurityOpt}, {@code Devices} and
 * {@code UsernsMode}, validated with dockerd's messages.
 */
final class SecurityParser {

    private SecurityParser() {}

    static ContainerSpec.Security parse(JsonObject host) {
        List<String> capAdd = Capabilities.normalize(Json.strings(host.getValue("CapAdd")), "CapAdd");
        List<String> capDrop = Capabilities.normalize(Json.strings(host.getValue("CapDrop")), "CapDrop");
        boolean noNewPrivileges = false;
        String seccomp = "";
        for (String opt : Json.strings(host.getValue("SecurityOpt"))) {
            if (opt.equals("no-new-privileges")) {
                noNewPrivileges = true;
                continue;
            }
            int eq = opt.indexOf('=');
            if (eq < 0) {
                eq = opt.indexOf(':');
            }
            if (eq < 0) {
                throw EngineException.invalid("invalid --security-opt 1: \"" + opt + "\"");
            }
            String key = opt.substring(0, eq);
            String value = opt.substring(eq + 1);
            switch (key) {
                case "no-new-privileges" -> noNewPrivileges = switch (value) {
                    case "true", "1", "t", "T", "TRUE", "True" -> true;
                    case "false", "0", "f", "F", "FALSE", "False" -> false;
                    default -> throw EngineException.invalid("invalid --security-opt 2: \"" + opt + "\"");
                };
                case "seccomp" -> seccomp = seccomp(value);
                // No LSM is applied by this daemon: only the options that ask for none are taken.
                case "apparmor" -> requireUnconfined(opt, value, "unconfined");
                case "label" -> requireUnconfined(opt, value, "disable");
                default -> throw EngineException.invalid("invalid --security-opt 2: \"" + opt + "\"");
            }
        }
        String userns = Json.str(host, "UsernsMode");
        if (!userns.isEmpty() && !userns.equals("host") && !userns.equals("private")) {
            throw EngineException.invalid("invalid UsernsMode: " + userns);
        }
        return new ContainerSpec.Security(Json.flag(host, "Privileged"), capAdd, capDrop,
                Json.flag(host, "ReadonlyRootfs"), noNewPrivileges, seccomp, devices(host.getValue("Devices")),
                userns.equals("private") ? "" : userns);
    }

    private static String seccomp(String value) {
        return switch (value) {
            case "", "builtin" -> "";
            case "unconfined" -> "unconfined";
            // The CLI sends a profile file's content; it is checked now so a bad one fails the create.
            default -> {
                SeccompProfiles.parse(value);
                yield value;
            }
        };
    }

    private static void requireUnconfined(String opt, String value, String none) {
        if (!value.equals(none)) {
            throw EngineException.invalid("invalid --security-opt 2: \"" + opt + "\": this daemon applies no "
                    + "AppArmor or SELinux profile");
        }
    }

    private static List<ContainerSpec.Device> devices(Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof JsonArray list)) {
            throw EngineException.invalid("Devices must be a list");
        }
        List<ContainerSpec.Device> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof JsonObject d)) {
                throw EngineException.invalid("Devices must be a list of objects");
            }
            String onHost = Json.str(d, "PathOnHost");
            String inContainer = Json.str(d, "PathInContainer");
            String perms = Json.str(d, "CgroupPermissions");
            if (inContainer.isEmpty()) {
                inContainer = onHost;
            }
            if (perms.isEmpty()) {
                perms = "rwm";
            }
            if (!onHost.startsWith("/")) {
                throw EngineException.invalid(onHost + " is not an absolute path");
            }
            if (!inContainer.startsWith("/")) {
                throw EngineException.invalid(inContainer + " is not an absolute path");
            }
            if (!perms.matches("[rwm]{1,3}") || perms.chars().distinct().count() != perms.length()) {
                throw EngineException.invalid("invalid device mode: " + perms);
            }
            out.add(new ContainerSpec.Device(onHost, inContainer, perms));
        }
        return out;
    }
}
