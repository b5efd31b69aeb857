package dev.metropolis.nats;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.service.ServiceMessage;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connection a micro service is built on, so that its {@code $SRV.STATS} error counts are
 * real. The service counts an error only when its handler throws, and then sends its own generic
 * error reply; our handler has already sent the precise one. So the handler marks the reply
 * subject as answered before throwing, and this connection drops the generic duplicate.
 */
final class ErrorCountingConnection implements InvocationHandler {
    private final Connection connection;
    private final Set<String> answered = ConcurrentHashMap.newKeySet();

    private ErrorCountingConnection(Connection connection) {
        this.connection = connection;
    }

    static ErrorCountingConnection wrap(Connection connection) {
        return new ErrorCountingConnection(connection);
    }

    /** The connection to hand to the service builder. */
    Connection proxy() {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, this);
    }

    /** Marks a reply subject whose error reply was sent already; the service's duplicate will be dropped. */
    void answered(String replyTo) {
        answered.add(replyTo);
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getName().equals("publish") && args != null && args.length == 1 && args[0] instanceof Message message
                && isServiceError(message) && answered.remove(message.getSubject())) {
            return null;
        }
        try {
            return method.invoke(connection, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static boolean isServiceError(Message message) {
        return message.getHeaders() != null && message.getHeaders().containsKey(ServiceMessage.NATS_SERVICE_ERROR_CODE);
    }
}
