package dev.pushrelay.config;

import dev.pushrelay.config.syntax.ConfException;
import dev.pushrelay.config.syntax.ConfNode;
import dev.pushrelay.config.syntax.ConfParser;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * Reads nginx-syntax configuration files into {@link Settings}.
 *
 * <p>A file may be a full nginx.conf (top level is nginx's main context, with
 * {@code events {}} and {@code http {}}), a list of {@code server {}} blocks (top level
 * is an http block), or bare locations and directives (top level is one server on
 * {@link ListenAddress#DEFAULT}; http-only directives such as push_max_reserved_memory are
 * accepted there too, as if the enclosing http block had been copied along).
 * Every error is a {@link ConfException} reading {@code file:line: directive: reason}.
 */
public final class ConfLoader {

    /** The methods limit_except knows (nginx's ngx_methods_names). */
    static final java.util.Set<String> LIMIT_METHODS = java.util.Set.of("GET", "HEAD", "POST", "PUT", "DELETE",
            "MKCOL", "COPY", "MOVE", "OPTIONS", "PROPFIND", "PROPPATCH", "LOCK", "UNLOCK", "PATCH");

    private ConfLoader() {
    }

    /** Loads {@code file} and everything it includes. */
    public static Settings load(Path file) throws ConfException {
        List<String> ignored = new ArrayList<>();
        List<ConfNode> nodes = new ConfParser(ignored).parseFile(file);
        return new TreeReader(file, ignored).run(nodes);
    }

    /** Parses {@code text} as if it were the contents of {@code file} (includes resolve relative to it). */
    public static Settings parse(String text, Path file) throws ConfException {
        List<String> ignored = new ArrayList<>();
        List<ConfNode> nodes = new ConfParser(ignored).parseText(text, file);
        return new TreeReader(file, ignored).run(nodes);
    }

    /**
     * A one-screen summary for {@code pushrelay -t}: servers, their listens and names,
     * each location with its endpoint, then the ignored directives.
     */
    public static String describe(Settings s) {
        StringBuilder sb = new StringBuilder();
        sb.append("push_max_reserved_memory ").append(s.maxReservedMemory()).append('\n');
        for (ServerSettings srv : s.servers()) {
            sb.append("server (").append(srv.where()).append(") listen ").append(srv.listens())
                    .append(" server_name ").append(srv.serverNames()).append('\n');
            for (LocationSettings l : srv.locations()) {
                sb.append("  ").append(l.name()).append(": ").append(l.endpoint());
                if (l.endpoint() == Endpoint.SUBSCRIBER) {
                    sb.append(' ').append(l.pollMode());
                }
                sb.append('\n');
            }
        }
        for (String i : s.ignored()) {
            sb.append("ignored: ").append(i).append('\n');
        }
        return sb.toString();
    }

    /** One load: reads the parsed node tree with nginx's contexts into drafts, then merges and compiles them. */
    private static final class TreeReader {
        private final Path file;
        private final List<String> ignored;
        private final List<ServerDraft> servers = new ArrayList<>();
        private final java.util.Map<String, ServerDraft> defaultServers = new java.util.HashMap<>();
        private final List<java.util.Map.Entry<ConfNode, LevelDirectives>> needChannelId = new ArrayList<>();
        private final List<dev.pushrelay.logging.ErrorLogTarget> errorLogs = new ArrayList<>();
        private final LoadContext load;
        private final Set<String> definedVariables;
        private final LevelDirectives http;
        private boolean sawHttp;
        private final ProcessDirectives process;
        /** The file has nginx's main context (http/events); else process directives go at its top. */
        private boolean mainFile;

        TreeReader(Path file, List<String> ignored) {
            this.file = file;
            this.ignored = ignored;
            this.process = new ProcessDirectives(file);
            this.load = new LoadContext(file, ignored);
            this.definedVariables = load.definedVariables;
            this.http = load.http;
        }

        Settings run(List<ConfNode> nodes) throws ConfException {
            boolean main = nodes.stream().anyMatch(n -> n.name().equals("http") || n.name().equals("events"));
            mainFile = main;
            boolean serverList = !main && nodes.stream().anyMatch(n -> n.name().equals("server"));
            if (main) {
                walk(nodes, DirectiveTable.MAIN, null, null, null);
            } else if (serverList) {
                walk(nodes, DirectiveTable.HTTP, http, null, null);
            } else {
                ServerDraft s = new ServerDraft(null, new LevelDirectives(null, http));
                servers.add(s);
                walk(nodes, DirectiveTable.SRV, s.level, s, null);
            }
            if (servers.isEmpty()) {
                // an http block without servers: nginx would listen nowhere; serve nothing on the default address
                servers.add(new ServerDraft(null, new LevelDirectives(null, http)));
            }
            checkVariables();
            List<ServerSettings> out = new ArrayList<>();
            for (ServerDraft s : servers) {
                out.add(s.build(file.toString()));
            }
            long mem = Merge.get(List.of(http), Directives.MAX_RESERVED_MEMORY);
            return new Settings(file, mem, out, ignored, errorLogs, process.build(file));
        }

        /**
         * @param ctx the DirectiveTable context of this block
         * @param level where value directives go (null in main/events)
         */
        private void walk(List<ConfNode> nodes, int ctx, LevelDirectives level, ServerDraft server, LocDraft loc)
                throws ConfException {
            for (ConfNode n : nodes) {
                DirectiveTable.Spec spec = DirectiveTable.find(n.name());
                if (spec == null && DirectiveTable.UNSUPPORTED.contains(n.name())) {
                    throw n.error("\"" + n.name() + "\" directive is not supported by pushrelay");
                }
                if (spec == null) {
                    throw n.error("unknown directive \"" + n.name() + "\"");
                }
                LevelDirectives target = level;
                boolean bareTop = ctx == DirectiveTable.SRV && server != null && server.node == null && loc == null;
                if ((spec.contexts() & ctx) == 0) {
                    if (bareTop && (spec.contexts() & DirectiveTable.HTTP) != 0) {
                        target = http; // bare-locations file: http-only directives apply to the implicit http
                    } else if (ProcessDirectives.NAMES.contains(n.name()) && !mainFile && loc == null
                            && (bareTop || ctx == DirectiveTable.HTTP && server == null)) {
                        // no main context in this file: its top level stands in for it
                    } else {
                        throw n.error("\"" + n.name() + "\" directive is not allowed here");
                    }
                }
                DirectiveTable.check(n, spec);
                if (spec.ignored()) {
                    ignored.add(n.where() + ": " + n.name());
                    if (n.isBlock() && !spec.skipBody()) {
                        walk(n.children(), ctx, level, server, loc);
                    }
                    continue;
                }
                // structure, and the directives whose place decides what they do; every other
                // directive is applied by its registry entry to the level it appears in
                switch (n.name()) {
                    case "http" -> {
                        if (sawHttp) {
                            throw n.error("\"http\" directive is duplicate");
                        }
                        sawHttp = true;
                        walk(n.children(), DirectiveTable.HTTP, http, null, null);
                    }
                    case "events" -> walk(n.children(), DirectiveTable.EVENTS, null, null, null);
                    case "server" -> {
                        ServerDraft s = new ServerDraft(n, new LevelDirectives(n, http));
                        servers.add(s);
                        walk(n.children(), DirectiveTable.SRV, s.level, s, null);
                    }
                    case "location" -> location(n, server, loc);
                    case "listen" -> listen(n, server);
                    case "server_name" -> serverName(n, server);
                    case "upstream" -> RedisDirectives.upstream(n, http.redis, ignored);
                    case "error_log" -> errorLog(n, ctx, bareTop);
                    case "pid", "pushrelay_state_path", "pushrelay_shutdown_window", "worker_processes" -> process.apply(n);
                    case "limit_except" -> limitExcept(n, level, server, loc);
                    default -> {
                        if (spec.handler() == null) {
                            throw n.error("\"" + n.name() + "\" directive is not allowed here");
                        }
                        spec.handler().apply(n, target);
                        if (n.name().equals("push_publisher") || n.name().equals("push_subscriber")) {
                            needChannelId.add(java.util.Map.entry(n, target));
                        }
                    }
                }
            }
        }

        /** nginx's ngx_http_core_limit_except: the listed methods (GET adds HEAD) pass; others get the block's access rules. */
        private void limitExcept(ConfNode n, LevelDirectives level, ServerDraft server, LocDraft loc) throws ConfException {
            if (level.limitExcept != null) {
                throw Directives.duplicate(n);
            }
            java.util.Set<String> methods = new java.util.HashSet<>();
            for (String m : n.args()) {
                if (!LIMIT_METHODS.contains(m.toUpperCase(java.util.Locale.ROOT))) {
                    throw n.error("invalid method \"" + m + "\"");
                }
                methods.add(m.toUpperCase(java.util.Locale.ROOT));
            }
            if (methods.contains("GET")) {
                methods.add("HEAD");
            }
            LevelDirectives inner = new LevelDirectives(n, level);
            walk(n.children(), DirectiveTable.LMT, inner, server, loc);
            level.limitExceptMethods = methods;
            level.limitExcept = inner;
        }

        private java.nio.file.Path baseDir() {
            return load.baseDir;
        }

        /**
         * The error log is process-wide: main- and http-level error_log are used (all of
         * them); in a server or location it is checked, then listed as ignored.
         */
        private void errorLog(ConfNode n, int ctx, boolean bareTop) throws ConfException {
            dev.pushrelay.logging.ErrorLogTarget t = LogDirectives.errorLog(n, baseDir());
            if (ctx == DirectiveTable.MAIN || ctx == DirectiveTable.HTTP || bareTop) {
                errorLogs.add(t);
            } else {
                ignored.add(n.where() + ": error_log (the error log is global: only main and http level are used)");
            }
        }

        /** nginx allows one default_server per listen address across all servers. */
        private void listen(ConfNode n, ServerDraft server) throws ConfException {
            ListenAddress l = ListenDirective.parse(n);
            if (l.defaultServer()) {
                String key = ListenAddress.key(l.host(), l.port());
                if (defaultServers.putIfAbsent(key, server) != null) {
                    throw n.error("a duplicate default server for " + l);
                }
            }
            server.listens.add(l);
        }

        private void serverName(ConfNode n, ServerDraft server) throws ConfException {
            for (String name : n.args()) {
                if (name.startsWith("~")) {
                    try {
                        PcreRegex r = PcreRegex.compile(name.substring(1), true);
                        for (String g : r.names()) {
                            definedVariables.add(g.toLowerCase(java.util.Locale.ROOT));
                        }
                    } catch (PatternSyntaxException e) {
                        throw n.error("invalid regex \"" + name.substring(1) + "\": " + e.getDescription());
                    }
                } else if (name.indexOf('*') >= 0 && !(name.startsWith("*.") || name.endsWith(".*"))
                        || name.indexOf('*') != name.lastIndexOf('*')) {
                    throw n.error("invalid server name or wildcard \"" + name + "\"");
                }
                server.names.add(name);
            }
        }

        /** nginx's ngx_http_core_location: modifiers, nesting rules, regex compilation. */
        private void location(ConfNode n, ServerDraft server, LocDraft parent) throws ConfException {
            LocationBlock.Kind kind;
            String name;
            boolean caseless = false;
            if (n.args().size() == 2) {
                String mod = n.arg(0);
                name = n.arg(1);
                switch (mod) {
                    case "=" -> kind = LocationBlock.Kind.EXACT;
                    case "^~" -> kind = LocationBlock.Kind.PREFIX_NOREGEX;
                    case "~" -> kind = LocationBlock.Kind.REGEX;
                    case "~*" -> {
                        kind = LocationBlock.Kind.REGEX;
                        caseless = true;
                    }
                    default -> throw n.error("invalid location modifier \"" + mod + "\"");
                }
            } else {
                String a = n.arg(0);
                if (a.startsWith("=")) {
                    kind = LocationBlock.Kind.EXACT;
                    name = a.substring(1);
                } else if (a.startsWith("~*")) {
                    kind = LocationBlock.Kind.REGEX;
                    caseless = true;
                    name = a.substring(2);
                } else if (a.startsWith("~")) {
                    kind = LocationBlock.Kind.REGEX;
                    name = a.substring(1);
                } else if (a.startsWith("@")) {
                    kind = LocationBlock.Kind.NAMED;
                    name = a;
                } else {
                    kind = LocationBlock.Kind.PREFIX;
                    name = a;
                }
            }
            if (parent != null) {
                if (parent.kind == LocationBlock.Kind.EXACT) {
                    throw n.error("location \"" + name + "\" cannot be inside the exact location \"" + parent.name + "\"");
                }
                if (parent.kind == LocationBlock.Kind.NAMED) {
                    throw n.error("location \"" + name + "\" cannot be inside the named location \"" + parent.name + "\"");
                }
                if (kind == LocationBlock.Kind.NAMED) {
                    throw n.error("named location \"" + name + "\" can be on the server level only");
                }
                if (kind != LocationBlock.Kind.REGEX && !name.startsWith(parent.name)) {
                    throw n.error("location \"" + name + "\" is outside location \"" + parent.name + "\"");
                }
            }
            PcreRegex regex = null;
            if (kind == LocationBlock.Kind.REGEX) {
                try {
                    regex = PcreRegex.compile(name, caseless);
                } catch (PatternSyntaxException e) {
                    throw n.error("invalid regex \"" + name + "\": " + e.getDescription());
                }
                for (String g : regex.names()) {
                    definedVariables.add(g.toLowerCase(java.util.Locale.ROOT));
                }
            }
            List<LocDraft> siblings = parent == null ? server.locations : parent.nested;
            if (kind != LocationBlock.Kind.REGEX) {
                for (LocDraft s : siblings) {
                    boolean sameKind = s.kind == kind || (s.kind != LocationBlock.Kind.EXACT && s.kind != LocationBlock.Kind.REGEX
                            && kind != LocationBlock.Kind.EXACT);
                    if (sameKind && s.name.equals(name)) {
                        throw n.error("duplicate location \"" + name + "\"");
                    }
                }
            }
            LevelDirectives parentLevel = parent == null ? server.level : parent.level;
            LocDraft d = new LocDraft(n, kind, name, regex, new LevelDirectives(n, parentLevel));
            siblings.add(d);
            walk(n.children(), DirectiveTable.LOC, d.level, server, d);
        }

        /** nginx resolves variable names when the whole configuration is read: order does not matter. */
        private void checkVariables() throws ConfException {
            for (java.util.Map.Entry<ConfNode, LevelDirectives> e : needChannelId) {
                // nchan_channel_id names the channel instead (protocol.md §14.7)
                if (!definedVariables.contains("push_channel_id") && !StreamDirectives.namesChannel(e.getValue())) {
                    throw e.getKey().error("unknown \"push_channel_id\" variable");
                }
            }
            List<LevelDirectives> levels = new ArrayList<>();
            for (ServerDraft s : servers) {
                levels.add(s.level);
                collect(s.locations, levels);
            }
            for (LevelDirectives c : levels) {
                List<java.util.Map.Entry<ConfNode, ValueTemplate>> reads = new ArrayList<>();
                RewriteDirectives.reads(c.rewrite, reads);
                for (java.util.Map.Entry<ConfNode, ValueTemplate> r : reads) {
                    for (String v : r.getValue().userVariables()) {
                        if (!definedVariables.contains(v)) {
                            throw r.getKey().error("unknown \"" + v + "\" variable");
                        }
                    }
                }
            }
        }

        private static void collect(List<LocDraft> locs, List<LevelDirectives> into) {
            for (LocDraft l : locs) {
                into.add(l.level);
                collect(l.nested, into);
            }
        }
    }

    /** A server block while it is read. */
    private static final class ServerDraft {
        final ConfNode node;
        final LevelDirectives level;
        final List<ListenAddress> listens = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        final List<LocDraft> locations = new ArrayList<>();

        ServerDraft(ConfNode node, LevelDirectives level) {
            this.node = node;
            this.level = level;
        }

        ServerSettings build(String file) throws ConfException {
            String where = node == null ? file + ":1" : node.where();
            List<LevelDirectives> chain = List.of(level.parent, level);
            String serverName = names.isEmpty() ? "" : names.get(0);
            LocationSettings serverLevel = Merge.settings("server (" + where + ")", chain, serverName);
            List<LocationSettings> all = new ArrayList<>();
            List<LocationBlock> blocks = compile(locations, chain, all, serverName);
            boolean serves = level.endpoint != null || level.root != null || level.tryFiles != null
                    || level.rewrite.stream().anyMatch(s -> s instanceof RewriteStep.Ret);
            ServerRoutes routes = new ServerRoutes(level.rewrite, blocks, serves ? serverLevel : null, all, serverLevel);
            List<ListenAddress> ls = listens.isEmpty() ? List.of(ListenAddress.DEFAULT) : listens;
            List<String> ns = names.isEmpty() ? List.of("") : names;
            return new ServerSettings(ls, ns, where, routes);
        }

        private static List<LocationBlock> compile(List<LocDraft> locs, List<LevelDirectives> parentChain,
                                                   List<LocationSettings> all, String serverName) throws ConfException {
            List<LocationBlock> out = new ArrayList<>();
            for (LocDraft d : locs) {
                List<LevelDirectives> chain = new ArrayList<>(parentChain);
                chain.add(d.level);
                LocationSettings s = Merge.settings("location " + String.join(" ", d.node.args())
                        + " (" + d.node.where() + ")", chain, serverName);
                all.add(s);
                List<LocationBlock> nested = compile(d.nested, chain, all, serverName);
                out.add(new LocationBlock(d.kind, d.name, d.regex, s, d.level.rewrite, nested));
            }
            return out;
        }
    }

    /** A location block while it is read. */
    private static final class LocDraft {
        final ConfNode node;
        final LocationBlock.Kind kind;
        final String name;
        final PcreRegex regex;
        final LevelDirectives level;
        final List<LocDraft> nested = new ArrayList<>();

        LocDraft(ConfNode node, LocationBlock.Kind kind, String name, PcreRegex regex, LevelDirectives level) {
            this.node = node;
            this.kind = kind;
            this.name = name;
            this.regex = regex;
            this.level = level;
        }
    }

}
