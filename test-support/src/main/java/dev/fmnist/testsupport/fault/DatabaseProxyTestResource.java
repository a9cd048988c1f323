package dev.fmnist.testsupport.fault;

import dev.fmnist.testsupport.PostgresDatabaseTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.Map;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Puts a {@link TcpProxy} between a service and the test database: it starts after {@link
 * PostgresDatabaseTestResource} (a higher {@link #order()}) and overrides {@code
 * quarkus.datasource.jdbc.url} with the proxy's port, so a test can take PostgreSQL away from the
 * service ({@link #cut(boolean)}) while its own checks still reach the database directly.
 *
 * <p>The proxy is registered with the platform MBean server: a test resource and the test may be
 * loaded by different class loaders, a static field would not be shared.
 */
public class DatabaseProxyTestResource implements QuarkusTestResourceLifecycleManager {
    private static final String NAME = "dev.fmnist.test:type=DatabaseProxy";

    private TcpProxy proxy;

    @Override
    public Map<String, String> start() {
        PostgresDatabaseTestResource.Database db = PostgresDatabaseTestResource.database();
        URI uri = URI.create(db.jdbcUrl().substring("jdbc:".length()));
        try {
            proxy = new TcpProxy(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort());
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName(NAME);
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(proxy, name);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the database proxy: " + e.getMessage(), e);
        }
        String url = "jdbc:postgresql://127.0.0.1:" + proxy.port() + uri.getRawPath()
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return Map.of("quarkus.datasource.jdbc.url", url,
                "quarkus.datasource.username", db.user(),
                "quarkus.datasource.password", db.password());
    }

    @Override
    public int order() {
        return 100; // after PostgresDatabaseTestResource (0): its URL is replaced
    }

    @Override
    public void stop() {
        if (proxy != null) {
            proxy.close();
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(new ObjectName(NAME));
            } catch (JMException e) {
                // gone already
            }
        }
    }

    /** Takes the database away from the service ({@code true}) or gives it back. */
    public static void cut(boolean cut) {
        try {
            ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName(NAME), cut ? "cut" : "restore", null, null);
        } catch (JMException e) {
            throw new IllegalStateException("the database proxy is not running: " + e.getMessage(), e);
        }
    }

    /** Connections the proxy accepted so far. */
    public static long accepted() {
        try {
            return (Long) ManagementFactory.getPlatformMBeanServer().getAttribute(new ObjectName(NAME), "Accepted");
        } catch (JMException e) {
            throw new IllegalStateException("the database proxy is not running: " + e.getMessage(), e);
        }
    }
}
