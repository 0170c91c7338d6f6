-- 007: blocking tables for incremental linking (veille.link.incremental). A run finds the
-- stored articles, mentions and commitments a new article may link with in SQL over these
-- tables, and recomputes only the groups, incidents and merged aid they belong to.
-- `link_bands.key` is the MinHash LSH key of one band (veille.link.dedup.band_keys);
-- `link_events.lo/hi` the days a mention may be about (NULL: no known time), and the
-- other columns what veille.link.incidents.compatible compares;
-- `link_aid.day` the first day of the commitment's date (announced, else publication),
-- and the other columns what veille.link.aid.compatible compares.
-- `link_meta` holds the settings fingerprint the tables were built with; a mismatch
-- (and the first run after this migration) rebuilds them all.
ALTER TABLE link_articles ADD COLUMN content_hash VARCHAR;
UPDATE link_articles SET content_hash = record->>'$.content_hash';
CREATE TABLE link_bands (
    article_id VARCHAR NOT NULL,
    band       SMALLINT NOT NULL,
    key        UBIGINT NOT NULL
);
CREATE TABLE link_events (
    event_id       VARCHAR NOT NULL,
    article_id     VARCHAR NOT NULL,
    type           VARCHAR NOT NULL,
    area           VARCHAR,
    lo             DATE,
    hi             DATE,
    place_key      VARCHAR,
    record         JSON NOT NULL,
    modality_class VARCHAR,   -- NULL: happened (none or historical)
    actor          VARCHAR,
    target         VARCHAR,
    day_precise    BOOLEAN    -- its date (else its publication) is known to the day
);
CREATE TABLE link_aid (
    commitment_id VARCHAR NOT NULL,
    article_id    VARCHAR NOT NULL,
    donor         VARCHAR,
    day           DATE,
    record        JSON NOT NULL,
    recipient     VARCHAR,
    kind          VARCHAR,
    mechanism     VARCHAR,
    value         DOUBLE,
    currency      VARCHAR,
    usd_value     DOUBLE,
    counted       VARCHAR[]   -- its counted systems ("patriot×10"), the merge anchor
);
CREATE TABLE link_meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
