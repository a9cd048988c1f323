-- Issue 17, item 3: one trace from image to explanation. A prediction is stored, and its explanations are made later
-- by whichever worker takes the item from the queue: the trace context travels through PostgreSQL.
--
-- xai.prediction.traceparent        the W3C traceparent of the explainer's consumer span that stored the prediction
--                                    (`fmnist.predictions process`), in the trace of the request that caused it: the
--                                    way from a stored prediction to its trace
-- xai.explanation_work.traceparent  (V3) from now on the same consumer span's traceparent, not the record's header:
--                                    the worker restores it as the parent of its `explain <method>` span, under which
--                                    `store explanation` and `fmnist.explanations publish` follow
-- Rows written before V4 keep the record's header (or null); either way a malformed or missing value starts a new
-- trace, never an error.

ALTER TABLE xai.prediction ADD COLUMN traceparent text;

COMMENT ON COLUMN xai.prediction.traceparent IS
    'W3C traceparent of the consumer span (fmnist.predictions process) that stored the prediction';
COMMENT ON COLUMN xai.explanation_work.traceparent IS
    'W3C traceparent of the consumer span that queued the item; the parent of the worker''s explain span';
