package dev.fmnist.reliability;

/**
 * One row of the results table: what one fault did to one stream of requests.
 *
 * @param fault               what was done, in words
 * @param load                the stream the fault hit, in words (requests, rate, explanations)
 * @param sent                requests sent (valid and invalid)
 * @param lost                requests without their result: a valid one without its stored prediction (or
 *                            explanations), an invalid one missing from the dead-letter topic
 * @param duplicated          stored results beyond one per request, model (and method), after deduplication
 * @param duplicateDeliveries records Kafka delivered more than once during the scenario (predictions and
 *                            explanation events), which the storage collapsed: information, not a failure
 * @param outageSeconds       how long the failed part was away: from the fault until it was back (restarted
 *                            and ready, port open, connections forwarded again); NaN when nothing failed
 * @param recoverSeconds      from the fault to the first new result after it (see the scenario)
 * @param caughtUpSeconds     from the last request sent to its last result stored: how far behind the stream the
 *                            platform finished
 * @param note                how the recovery time was measured, or what else was checked
 */
record FaultResult(String fault, String load, int sent, int lost, int duplicated, int duplicateDeliveries, double outageSeconds,
                   double recoverSeconds, double caughtUpSeconds, String note) {
}
