package portal.opensearch;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.opensearch.Version;
import org.opensearch.client.Client;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.metadata.Metadata;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.gateway.GatewayService;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.ExtensiblePlugin;
import org.opensearch.plugins.Plugin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Starts a single OpenSearch node in this JVM, for local development and tests.
 *
 * <p>This replaces OpenSearch's {@code Bootstrap}: it does not refuse to run as root, installs no
 * security manager, runs no bootstrap checks and loads no keystore. The modules a distribution
 * would load from {@code modules/} (transport-netty4, analysis-common, lang-painless,
 * mapper-extras) are jars on the classpath instead, handed to {@link Node}'s protected
 * constructor the way the test framework's {@code MockNode} does.
 *
 * <p>Usage (see infra/opensearch/run.sh):
 * {@code java -cp 'lib/*' portal.opensearch.LocalOpenSearch --config=DIR -Epath.home=... -Ekey=value ...}
 * ({@code opensearch.yml} and {@code log4j2.properties} in the config dir are read, {@code -E}
 * settings override the yml). SIGTERM/SIGINT close the node cleanly and the JVM exits with
 * status 0; a node that cannot be created or started exits with status 1.
 */
public final class LocalOpenSearch {

    /** Plugins loaded when -Dportal.opensearch.plugins is not given (all must be on the classpath). */
    static final List<String> DEFAULT_PLUGINS = List.of(
        "org.opensearch.transport.Netty4Plugin",               // module transport-netty4 (HTTP + transport)
        "org.opensearch.analysis.common.CommonAnalysisPlugin", // module analysis-common
        "org.opensearch.painless.PainlessPlugin",              // module lang-painless
        "org.opensearch.index.mapper.MapperExtrasPlugin"       // module mapper-extras
    );

    private static final long CLOSE_TIMEOUT_SECONDS = 20;

    private LocalOpenSearch() {}

    /** A plain {@link Node} whose plugins come from the classpath (cf. MockNode), with no other overrides. */
    static final class LocalNode extends Node {
        LocalNode(Environment environment, Collection<Class<? extends Plugin>> classpathPlugins) {
            super(environment, classpathPlugins, true);
        }
    }

    public static void main(String[] args) throws Exception {
        Path configDir = null;
        Settings.Builder cli = Settings.builder();
        for (String arg : args) {
            if (arg.startsWith("--config=")) {
                configDir = Paths.get(arg.substring("--config=".length()));
            } else if (arg.startsWith("-E") && arg.indexOf('=') > 2) {
                int eq = arg.indexOf('=');
                cli.put(arg.substring(2, eq), arg.substring(eq + 1));
            } else {
                System.err.println("usage: LocalOpenSearch --config=DIR [-Ekey=value ...]; unknown argument: " + arg);
                System.exit(64);
            }
        }
        if (configDir == null) {
            System.err.println("usage: LocalOpenSearch --config=DIR [-Ekey=value ...]");
            System.exit(64);
        }
        configDir = configDir.toAbsolutePath().normalize();

        LogConfigurator.registerErrorListener();
        final Settings cliSettings = cli.build();
        final Environment environment = InternalSettingsPreparer.prepareEnvironment(
            cliSettings,
            Collections.emptyMap(),
            configDir,
            () -> Node.NODE_NAME_SETTING.get(cliSettings)
        );
        Files.createDirectories(environment.logsFile());
        for (Path dataDir : environment.dataFiles()) {
            Files.createDirectories(dataDir);
        }
        if (Node.NODE_NAME_SETTING.exists(environment.settings())) {
            LogConfigurator.setNodeName(Node.NODE_NAME_SETTING.get(environment.settings()));
        }
        LogConfigurator.configure(environment);
        final Logger logger = LogManager.getLogger(LocalOpenSearch.class);
        installUncaughtExceptionHandler();

        final List<Class<? extends Plugin>> plugins = loadPluginClasses();
        loadPainlessExtensions(plugins, logger);

        logger.info(
            "starting OpenSearch {} (pid {}, java {}) with classpath plugins {}",
            Version.CURRENT,
            ProcessHandle.current().pid(),
            Runtime.version(),
            plugins.stream().map(Class::getSimpleName).collect(Collectors.toList())
        );

        final Node node;
        try {
            node = new LocalNode(environment, plugins);
        } catch (Throwable t) {
            // e.g. data dir locked by another node, bad setting
            logger.error("failed to create node", t);
            Configurator.shutdown((LoggerContext) LogManager.getContext(false));
            Runtime.getRuntime().halt(1);
            return;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            int status = 0;
            try {
                logger.info("shutdown requested, closing node");
                node.close();
                if (node.awaitClose(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS) == false) {
                    logger.warn("node did not close within {}s", CLOSE_TIMEOUT_SECONDS);
                    status = 1;
                } else {
                    logger.info("node closed");
                }
            } catch (Throwable t) {
                logger.error("failed to close node cleanly", t);
                status = 1;
            } finally {
                stopped.countDown();
                // log4j's own shutdown hook is disabled (-Dlog4j.shutdownHookEnabled=false): flush here
                Configurator.shutdown((LoggerContext) LogManager.getContext(false));
            }
            // A clean stop on SIGTERM is a normal exit for a dev/test service: report 0 (not 143).
            Runtime.getRuntime().halt(status);
        }, "local-opensearch-shutdown"));

        try {
            node.start();
        } catch (Throwable t) {
            logger.error("node failed to start", t);
            // close what was started, then exit non-zero without running the (SIGTERM) shutdown hook
            closeQuietly(node, logger);
            Runtime.getRuntime().halt(1);
        }

        persistClusterDefaults(node, environment.settings(), logger);

        // OpenSearch's threads are daemon threads: keep the JVM alive until shutdown.
        stopped.await();
    }

    /**
     * Like OpenSearch's own (package-private) handler: a fatal {@link Error} on any thread leaves the
     * node in an unknown state, so die at once instead of limping on; other exceptions are logged.
     */
    private static void installUncaughtExceptionHandler() {
        final Logger logger = LogManager.getLogger(LocalOpenSearch.class);
        Thread.setDefaultUncaughtExceptionHandler((thread, t) -> {
            if (t instanceof Error && (t instanceof AssertionError) == false) {
                try {
                    logger.fatal("fatal error in thread [" + thread.getName() + "], exiting", t);
                } finally {
                    Runtime.getRuntime().halt(1);
                }
            } else {
                logger.error("uncaught exception in thread [" + thread.getName() + "]", t);
            }
        });
    }

    private static void closeQuietly(Node node, Logger logger) {
        try {
            node.close();
        } catch (Throwable t) {
            logger.error("failed to close node after failed start", t);
        } finally {
            Configurator.shutdown((LoggerContext) LogManager.getContext(false));
        }
    }

    /**
     * {@code cluster.default_number_of_replicas} only affects index creation when it is a cluster
     * (persistent/transient) setting, not a node setting. If the node config sets it and the cluster
     * state does not have it yet (fresh data dir), store it as a persistent cluster setting, once.
     */
    private static void persistClusterDefaults(Node node, Settings nodeSettings, Logger logger) {
        final var setting = Metadata.DEFAULT_REPLICA_COUNT_SETTING;
        if (setting.exists(nodeSettings) == false) {
            return;
        }
        try {
            final Client client = node.client();
            // the node is "started" before the gateway has recovered the persisted cluster state
            ClusterState state = client.admin().cluster().prepareState().clear().setMetadata(true).setBlocks(true).get().getState();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (state.blocks().hasGlobalBlock(GatewayService.STATE_NOT_RECOVERED_BLOCK)) {
                if (System.nanoTime() > deadline || node.isClosed()) {
                    logger.warn("cluster state not recovered, not setting [{}]", setting.getKey());
                    return;
                }
                Thread.sleep(50);
                state = client.admin().cluster().prepareState().clear().setMetadata(true).setBlocks(true).get().getState();
            }
            final Metadata metadata = state.metadata();
            if (setting.exists(metadata.persistentSettings()) || setting.exists(metadata.transientSettings())) {
                return;
            }
            final int replicas = setting.get(nodeSettings);
            client.admin()
                .cluster()
                .prepareUpdateSettings()
                .setPersistentSettings(Settings.builder().put(setting.getKey(), replicas))
                .get();
            logger.info("set persistent cluster setting [{}] to [{}]", setting.getKey(), replicas);
        } catch (Exception e) {
            if (node.isClosed() == false) {
                logger.warn("could not set persistent cluster setting [" + setting.getKey() + "]", e);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Class<? extends Plugin>> loadPluginClasses() throws ClassNotFoundException {
        final String override = System.getProperty("portal.opensearch.plugins", "").trim();
        final List<String> names = override.isEmpty()
            ? DEFAULT_PLUGINS
            : List.of(override.split("\\s*,\\s*"));
        final List<Class<? extends Plugin>> classes = new ArrayList<>();
        for (String name : names) {
            final Class<?> c = Class.forName(name, false, LocalOpenSearch.class.getClassLoader());
            if (Plugin.class.isAssignableFrom(c) == false) {
                throw new IllegalArgumentException(name + " is not an OpenSearch plugin class");
            }
            classes.add((Class<? extends Plugin>) c);
        }
        return classes;
    }

    /**
     * Classpath plugins are never offered SPI extensions by PluginsService (only plugin bundles
     * are). For painless that means the allowlists other modules contribute (analysis-common's
     * script contexts) would be missing. PainlessPlugin keeps its allowlists in a static map, so
     * loading the extensions once through a throwaway instance, before the node is built, is enough.
     */
    private static void loadPainlessExtensions(List<Class<? extends Plugin>> plugins, Logger logger) throws Exception {
        for (Class<? extends Plugin> pluginClass : plugins) {
            if (pluginClass.getName().equals("org.opensearch.painless.PainlessPlugin") == false) {
                continue;
            }
            final ExtensiblePlugin painless = (ExtensiblePlugin) pluginClass.getConstructor().newInstance();
            final ClassLoader loader = LocalOpenSearch.class.getClassLoader();
            painless.loadExtensions(new ExtensiblePlugin.ExtensionLoader() {
                @Override
                public <T> List<T> loadExtensions(Class<T> extensionPointType) {
                    final List<T> found = ServiceLoader.load(extensionPointType, loader)
                        .stream()
                        .map(ServiceLoader.Provider::get)
                        .collect(Collectors.toList());
                    logger.debug("painless extensions for {}: {}", extensionPointType.getSimpleName(), found);
                    return found;
                }
            });
        }
    }
}
