package dev.fmnist.testsupport.fault;

/** What a test may do with a {@link TcpProxy} through the platform MBean server. */
public interface TcpProxyMBean {
    void cut();

    void restore();

    long getAccepted();
}
