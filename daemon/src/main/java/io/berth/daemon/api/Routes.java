package io.berth.daemon.api;

import io.vertx.core.http.HttpMethod;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The route table: method and path template to handler, matched in the order added. Templates use
 * Docker's notation: {@code /containers/{id}/json}, and {@code {name:.*}} for parameters that may
 * contain slashes (image references).
 */
public final class Routes {

    /** Handles one request; throwing is the same as failing the request. */
    @FunctionalInterface
    public interface Handler {
        void handle(ApiRequest request) throws Exception;
    }

    private record Route(HttpMethod method, Pattern pattern, List<String> names, Handler handler, String template) {}

    /**
     * A matched route with its path parameters; {@code template} is the route as registered, without
     * parameter patterns ({@code /containers/{id}/json}), which names it in metrics.
     */
    public record Match(Handler handler, Map<String, String> params, String template) {}

    private static final Pattern PARAM = Pattern.compile("\\{(\\w+)(?::([^}]*))?}");

    private final List<Route> routes = new ArrayList<>();

    public Routes add(HttpMethod method, String template, Handler handler) {
        List<String> names = new ArrayList<>();
        StringBuilder regex = new StringBuilder("^");
        Matcher m = PARAM.matcher(template);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(template.substring(last, m.start())));
            names.add(m.group(1));
            regex.append('(').append(m.group(2) == null ? "[^/]+" : m.group(2)).append(')');
            last = m.end();
        }
        regex.append(Pattern.quote(template.substring(last))).append('$');
        routes.add(new Route(method, Pattern.compile(regex.toString()), names, handler,
                PARAM.matcher(template).replaceAll("{$1}")));
        return this;
    }

    public Routes get(String template, Handler h) {
        return add(HttpMethod.GET, template, h);
    }

    public Routes post(String template, Handler h) {
        return add(HttpMethod.POST, template, h);
    }

    public Routes put(String template, Handler h) {
        return add(HttpMethod.PUT, template, h);
    }

    public Routes delete(String template, Handler h) {
        return add(HttpMethod.DELETE, template, h);
    }

    public Routes head(String template, Handler h) {
        return add(HttpMethod.HEAD, template, h);
    }

    /** The handler for a request, or null; {@code pathKnown[0]} tells a 405 from a 404. */
    public Match match(HttpMethod method, String path, boolean[] pathKnown) {
        for (Route r : routes) {
            Matcher m = r.pattern().matcher(path);
            if (!m.matches()) {
                continue;
            }
            pathKnown[0] = true;
            if (!r.method().equals(method)) {
                continue;
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < r.names().size(); i++) {
                params.put(r.names().get(i), URLDecoder.decode(m.group(i + 1), StandardCharsets.UTF_8));
            }
            return new Match(r.handler(), params, r.template());
        }
        return null;
    }
}
