-- Issue 18, item 4: the segmentation is configurable (explainer.segmentation.*) and its default was chosen by
-- measurement, so each explanation names the one that gave its segments: xai.Segmentation#name(), e.g.
-- 'grid4' (the 4x4-pixel grid, 49 cells) or 'slic50c0.5' (about 50 SLIC superpixels, compactness 0.5).
-- The segment ids themselves are stored as before (segments), so the page draws any row's outlines from them.
-- NULL for rows stored before this migration (their segmentation was not recorded; the default then was 'grid4')
-- and for failed explanations.

ALTER TABLE xai.explanation ADD COLUMN segmentation text;
