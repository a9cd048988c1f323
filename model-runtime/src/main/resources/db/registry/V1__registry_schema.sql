-- The model registry (ARCHITECTURE.md, "Model registry"). A version becomes visible when its row commits.

CREATE TABLE registry.training_run (
    id          uuid        PRIMARY KEY,
    model_name  text        NOT NULL,
    state       text        NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
    params      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    error       text
);

CREATE TABLE registry.training_epoch (
    run_id              uuid             NOT NULL REFERENCES registry.training_run (id) ON DELETE CASCADE,
    epoch               integer          NOT NULL CHECK (epoch >= 1),
    train_loss          double precision,
    train_accuracy      double precision,
    validation_loss     double precision,
    validation_accuracy double precision,
    learning_rate       double precision,
    seconds             double precision,
    images_per_second   double precision,
    PRIMARY KEY (run_id, epoch)
);

CREATE TABLE registry.model_version (
    name            text        NOT NULL,
    version         integer     NOT NULL CHECK (version >= 1),
    format          text        NOT NULL,
    sha256          char(64)    NOT NULL,
    artifact        bytea       NOT NULL,
    metrics         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    params          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    training_run_id uuid        REFERENCES registry.training_run (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- set once the version was announced on fmnist.models; readers' "latest" skips unannounced versions
    published_at    timestamptz,
    PRIMARY KEY (name, version)
);

CREATE TABLE registry.evaluation (
    name               text             NOT NULL,
    version            integer          NOT NULL,
    split              text             NOT NULL CHECK (split IN ('train', 'validation', 'test')),
    accuracy           double precision NOT NULL,
    per_class_accuracy double precision[] NOT NULL,
    confusion_matrix   jsonb            NOT NULL,
    images             integer          NOT NULL,
    PRIMARY KEY (name, version, split),
    FOREIGN KEY (name, version) REFERENCES registry.model_version (name, version) ON DELETE CASCADE
);
