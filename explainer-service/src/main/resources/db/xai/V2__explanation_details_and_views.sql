-- What V1 left out of an explanation, an index for the read API, and views for dashboards (Grafana reads them).

ALTER TABLE xai.explanation
    ADD COLUMN reason         text CHECK (reason IN ('requested', 'sampled')),
    ADD COLUMN full_value     double precision,
    ADD COLUMN deletion_curve real[];

-- GET /api/predictions?model=...: newest first within a model
CREATE INDEX prediction_model_scored_at ON xai.prediction (model_name, scored_at DESC);

-- Per minute and model: traffic, accuracy on labelled traffic (null without labels), confidence and latency.
CREATE VIEW xai.prediction_summary AS
SELECT date_trunc('minute', scored_at)                                   AS minute,
       model_name,
       count(*)                                                          AS predictions,
       count(true_label)                                                 AS labelled,
       count(*) FILTER (WHERE true_label = label)                        AS correct,
       (count(*) FILTER (WHERE true_label = label))::double precision
           / nullif(count(true_label), 0)                                AS accuracy,
       avg(confidence)::double precision                                 AS mean_confidence,
       avg(latency_ms)                                                   AS mean_latency_ms,
       count(*) FILTER (WHERE explain)                                   AS explain_requested
FROM xai.prediction
GROUP BY 1, 2;

-- Per minute, model and method: explanations by status, their time and quality figures.
CREATE VIEW xai.explanation_latency AS
SELECT date_trunc('minute', created_at)                                  AS minute,
       model_name,
       method,
       count(*)                                                          AS explanations,
       count(*) FILTER (WHERE status = 'failed')                         AS failed,
       avg(elapsed_ms)                                                   AS mean_ms,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY elapsed_ms)           AS p50_ms,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY elapsed_ms)          AS p95_ms,
       max(elapsed_ms)                                                   AS max_ms,
       avg(samples)::double precision                                    AS mean_samples,
       avg(lime_r2)                                                      AS mean_lime_r2,
       avg(efficiency_gap)                                               AS mean_efficiency_gap,
       avg(deletion_area)                                                AS mean_deletion_area
FROM xai.explanation
GROUP BY 1, 2, 3;
