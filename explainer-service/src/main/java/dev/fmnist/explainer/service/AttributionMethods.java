package dev.fmnist.explainer.service;

import dev.fmnist.common.messaging.ExplanationStored;
import dev.fmnist.xai.AttributionMethod;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every {@link AttributionMethod} bean, by its {@link AttributionMethod#name()}. The algorithms are
 * produced as beans (see {@code config.AttributionMethodProducers}); start-up fails when two beans
 * share a name, a name is not one of {@link ExplanationStored#METHODS}, or a configured method has
 * no implementation.
 */
@ApplicationScoped
public class AttributionMethods {
    private final Map<String, AttributionMethod> byName = new TreeMap<>();

    public AttributionMethods(@Any Instance<AttributionMethod> methods) {
        for (AttributionMethod m : methods) {
            String name = m.name();
            if (!ExplanationStored.METHODS.contains(name)) {
                throw new IllegalStateException("attribution method " + m.getClass().getName() + " is named '" + name
                        + "', not one of " + ExplanationStored.METHODS);
            }
            AttributionMethod previous = byName.put(name, m);
            if (previous != null) {
                throw new IllegalStateException("two attribution methods are named '" + name + "': "
                        + previous.getClass().getName() + " and " + m.getClass().getName());
            }
        }
    }

    public Optional<AttributionMethod> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The implemented method names. */
    public java.util.Set<String> names() {
        return byName.keySet();
    }

    /** Fails when a configured method has no implementation. */
    public void requireAll(ExplanationPolicy policy) {
        policy.methods().forEach((model, methods) -> {
            for (String m : methods) {
                if (!byName.containsKey(m)) {
                    throw new IllegalStateException("explainer.methods." + model + " names '" + m
                            + "', but no implementation of it is installed (have " + byName.keySet() + ")");
                }
            }
        });
    }
}
