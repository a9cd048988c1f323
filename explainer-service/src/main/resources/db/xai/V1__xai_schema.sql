-- Stored predictions and their explanations (ARCHITECTURE.md, "Explainer service").
-- Writes are keyed by request id, model, version and method so that replays create no duplicates.

CREATE TABLE xai.prediction (
    request_id    text             NOT NULL,
    model_name    text             NOT NULL,
    model_version integer          NOT NULL,
    label         smallint         NOT NULL CHECK (label BETWEEN 0 AND 9),
    class_name    text             NOT NULL,
    confidence    real             NOT NULL,
    probabilities real[]           NOT NULL,
    image         bytea            NOT NULL,
    true_label    smallint         CHECK (true_label BETWEEN 0 AND 9),
    explain       boolean          NOT NULL,
    latency_ms    double precision NOT NULL,
    scored_at     timestamptz      NOT NULL,
    stored_at     timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (request_id, model_name, model_version)
);
CREATE INDEX prediction_scored_at ON xai.prediction (scored_at DESC);

CREATE TABLE xai.explanation (
    id              bigserial        PRIMARY KEY,
    request_id      text             NOT NULL,
    model_name      text             NOT NULL,
    model_version   integer          NOT NULL,
    method          text             NOT NULL CHECK (method IN ('lime', 'kernel_shap', 'tree_shap')),
    status          text             NOT NULL CHECK (status IN ('succeeded', 'failed')),
    error           text,
    target_class    smallint         NOT NULL CHECK (target_class BETWEEN 0 AND 9),
    attributions    real[],
    segment_weights real[],
    segments        smallint[],
    base_value      double precision,
    intercept       double precision,
    lime_r2         double precision,
    efficiency_gap  double precision,
    deletion_area   double precision,
    samples         integer,
    elapsed_ms      double precision,
    created_at      timestamptz      NOT NULL DEFAULT now(),
    UNIQUE (request_id, model_name, model_version, method),
    FOREIGN KEY (request_id, model_name, model_version)
        REFERENCES xai.prediction (request_id, model_name, model_version) ON DELETE CASCADE
);
