-- Issue 18, item 3: one output space per model. Every method of a model explains the same quantity
-- (explainer.output-space.<model>, else explainer.default-output-space), stored with each explanation, and the
-- agreement figures compare maps of the same space only.
--
-- output_space: probability  the target class's probability
--               log_odds     its centred log-probability, log p_c - mean_j log p_j (= z_c - mean_j z_j for a
--                            softmax over logits z; TreeSHAP is exact in it)
--               margin       only rows stored before this migration by tree_shap: XGBoost's raw margin z_c of the
--                            target class, a space no method explains any more (kept so those rows stay truthful;
--                            they are compared with nothing)
-- Rows before this migration: lime and kernel_shap explained the probability, tree_shap the raw margin.
-- A failed explanation has no values and no space (NULL); a succeeded one always has one.

ALTER TABLE xai.explanation ADD COLUMN output_space text
    CONSTRAINT explanation_output_space_known CHECK (output_space IN ('probability', 'log_odds', 'margin'));

UPDATE xai.explanation SET output_space = CASE WHEN method = 'tree_shap' THEN 'margin' ELSE 'probability' END
    WHERE status = 'succeeded';

ALTER TABLE xai.explanation ADD CONSTRAINT explanation_output_space_of_values
    CHECK (status <> 'succeeded' OR output_space IS NOT NULL);
