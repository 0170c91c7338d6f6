-- 003: versions that supersede. `articles` (and every annotation table) now holds only the
-- latest version of each source, so every count and query sees each article once.
-- `article_versions` keeps the history: one row per version ever stored, in order; a file
-- changed back (A -> B -> A) gets a third row naming A again.
CREATE TABLE article_versions (
    source        VARCHAR NOT NULL,
    version       INTEGER NOT NULL,      -- 1, 2, ... per source, in storage order
    article_id    VARCHAR NOT NULL,
    title         VARCHAR,
    content_hash  VARCHAR NOT NULL,
    raw_hash      VARCHAR NOT NULL,
    num_chars     INTEGER,
    stored_at     TIMESTAMP NOT NULL,
    superseded_at TIMESTAMP,             -- NULL: this is the current version
    PRIMARY KEY (source, version)
);
CREATE INDEX article_versions_article ON article_versions (article_id);

INSERT INTO article_versions
SELECT a.source, a.version, a.id, a.title, a.content_hash, a.raw_hash, a.num_chars, a.stored_at,
       CASE WHEN a.version < m.latest THEN current_timestamp END
FROM articles a JOIN (SELECT source, max(version) AS latest FROM articles GROUP BY source) m
  ON m.source = a.source;

-- Older versions stored before this migration leave the live tables.
CREATE TEMP TABLE superseded_ids AS
SELECT article_id AS id FROM article_versions WHERE superseded_at IS NOT NULL;
DELETE FROM entity_mentions WHERE article_id IN (SELECT id FROM superseded_ids);
DELETE FROM quantities WHERE article_id IN (SELECT id FROM superseded_ids);
DELETE FROM times WHERE article_id IN (SELECT id FROM superseded_ids);
DELETE FROM events WHERE article_id IN (SELECT id FROM superseded_ids);
DELETE FROM aid_commitments WHERE article_id IN (SELECT id FROM superseded_ids);
DELETE FROM claims WHERE article_id IN (SELECT id FROM superseded_ids);
DELETE FROM articles WHERE id IN (SELECT id FROM superseded_ids);
DROP TABLE superseded_ids;
-- links built from the removed versions are rebuilt by the next run
INSERT INTO runs (id, started_at)
SELECT 'migration-003', current_timestamp
WHERE EXISTS (SELECT 1 FROM article_versions WHERE superseded_at IS NOT NULL);
