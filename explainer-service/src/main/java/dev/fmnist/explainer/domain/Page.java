package dev.fmnist.explainer.domain;

import java.util.List;

/** One page of a list, newest first: {@code page} is 0-based, {@code total} counts every match. */
public record Page<T>(int page, int size, long total, List<T> items) {
}
