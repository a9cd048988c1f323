package dev.fmnist.common.messaging;

/** A message record that checks its own contract. */
public interface Validated {
    /** Throws {@link InvalidMessageException} naming the first broken rule. */
    void validate();
}
