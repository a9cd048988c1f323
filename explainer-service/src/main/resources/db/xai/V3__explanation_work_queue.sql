-- Issue 18, item 5: predictions are stored as fast as they arrive, explanations are made from a durable work queue.
-- The Kafka consumer stores a batch's predictions and their work items in one transaction and commits; worker
-- threads claim items with SELECT ... FOR UPDATE SKIP LOCKED and a lease (a crashed worker's item is taken again
-- once its lease ends), store the explanation and move the item on in one transaction, then announce it.
--
-- state: queued     waiting for (or being made by, while lease_until is in the future) a worker
--        announcing the explanation is stored (explanation_id); ExplanationStored not yet acknowledged by the broker
--        done       finished: outcome succeeded (stored and announced), failed (stored, not announced) or shed
-- Done rows stay for explainer.queue.retention (a replayed Kafka record finds its item and adds nothing; the
-- dashboard draws the backlog's history from them), then they are deleted.

CREATE TABLE xai.explanation_work (
    id             bigserial   PRIMARY KEY,
    request_id     text        NOT NULL,
    model_name     text        NOT NULL,
    model_version  integer     NOT NULL,
    method         text        NOT NULL CHECK (method IN ('lime', 'kernel_shap', 'tree_shap')),
    reason         text        NOT NULL CHECK (reason IN ('requested', 'sampled')),
    -- 0 requested, 1 sampled: requested explanations are taken first (sampled ones may be shed under lag)
    priority       smallint    NOT NULL,
    traceparent    text,
    state          text        NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'announcing', 'done')),
    outcome        text        CHECK (outcome IN ('succeeded', 'failed', 'shed')),
    queued_at      timestamptz NOT NULL DEFAULT now(),
    attempts       integer     NOT NULL DEFAULT 0,
    claimed_by     text,
    lease_until    timestamptz,
    explanation_id bigint      REFERENCES xai.explanation (id),
    -- when the item left the backlog (explanation stored, or shed)
    finished_at    timestamptz,
    UNIQUE (request_id, model_name, model_version, method),
    FOREIGN KEY (request_id, model_name, model_version)
        REFERENCES xai.prediction (request_id, model_name, model_version) ON DELETE CASCADE,
    CHECK ((state = 'done') = (outcome IS NOT NULL)),
    CHECK (state <> 'announcing' OR explanation_id IS NOT NULL)
);

-- What workers claim: unfinished items in priority and arrival order
CREATE INDEX explanation_work_open ON xai.explanation_work (priority, id) WHERE state <> 'done';
-- Purge of done items, and the backlog's history (dashboard)
CREATE INDEX explanation_work_finished_at ON xai.explanation_work (finished_at) WHERE state = 'done';
CREATE INDEX explanation_work_queued_at ON xai.explanation_work (queued_at);
-- Every explanation has at most one row (V1's unique key); a retaken item finds the row its first worker stored
-- and stores nothing again.

-- Per minute and model: how long stored predictions waited behind scoring (stored_at - scored_at), seconds
CREATE VIEW xai.prediction_storage_lag AS
SELECT date_trunc('minute', stored_at)                                                   AS minute,
       model_name,
       count(*)                                                                          AS predictions,
       avg(extract(epoch FROM stored_at - scored_at))::double precision                  AS mean_s,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM stored_at - scored_at)) AS p95_s,
       max(extract(epoch FROM stored_at - scored_at))::double precision                  AS max_s
FROM xai.prediction
GROUP BY 1, 2;
