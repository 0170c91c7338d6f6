-- 001: every type of veille.model, one table each, plus membership tables.
-- Conventions: character offsets are *_start/*_end into articles.text; dates are DATE plus a
-- *_precision column (day, week, month, year, unknown); money and other decimals are
-- DECIMAL(38,4) for filtering plus *_text holding str(Decimal) for an exact round-trip;
-- nested records that nobody filters on are JSON. `idx` keeps each article's order.
-- schema_version is created by the migration runner, not here.

CREATE TABLE articles (
    id                  VARCHAR PRIMARY KEY,   -- blake2b(source key + raw bytes)
    source              VARCHAR NOT NULL,      -- path or URL as given
    version             INTEGER NOT NULL,      -- 1, 2, ... per source, in storage order
    text                VARCHAR NOT NULL,      -- clean text; all offsets point into it
    title               VARCHAR,
    url                 VARCHAR,
    outlet              VARCHAR,
    language            VARCHAR,
    published_date      DATE,
    published_precision VARCHAR NOT NULL DEFAULT 'unknown',
    ingested_at         TIMESTAMP,
    stored_at           TIMESTAMP NOT NULL DEFAULT current_timestamp,
    content_hash        VARCHAR NOT NULL,      -- blake2b(clean text): exact duplicates
    raw_hash            VARCHAR NOT NULL,
    input_format        VARCHAR NOT NULL,      -- txt, html, jsonl
    dropped_lines       JSON,                  -- list of removed boilerplate lines
    flags               VARCHAR[],             -- e.g. language-unsupported
    num_chars           INTEGER
);
CREATE INDEX articles_source ON articles (source);
CREATE INDEX articles_content_hash ON articles (content_hash);
CREATE INDEX articles_published ON articles (published_date);

CREATE TABLE entity_mentions (
    article_id  VARCHAR NOT NULL,
    idx         INTEGER NOT NULL,
    start_char  INTEGER NOT NULL,
    end_char    INTEGER NOT NULL,
    text        VARCHAR NOT NULL,
    label       VARCHAR NOT NULL,  -- PER, ORG, LOC, WEAPON, MISC
    name        VARCHAR NOT NULL,
    kb_id       VARCHAR,
    country     VARCHAR,
    sector      VARCHAR,
    role        VARCHAR,
    refers_to   VARCHAR,
    resolved_by VARCHAR NOT NULL,
    lat         DOUBLE,
    lon         DOUBLE,
    PRIMARY KEY (article_id, idx)
);
CREATE INDEX entity_mentions_kb_id ON entity_mentions (kb_id);

CREATE TABLE quantities (
    article_id  VARCHAR NOT NULL,
    idx         INTEGER NOT NULL,
    start_char  INTEGER NOT NULL,
    end_char    INTEGER NOT NULL,
    text        VARCHAR NOT NULL,
    value       DECIMAL(38, 4),
    value_text  VARCHAR NOT NULL,
    unit        VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,  -- money, count, percent
    qualifier   VARCHAR NOT NULL,
    usd_value   DECIMAL(38, 4),
    usd_value_text VARCHAR,
    fx_year     INTEGER,
    PRIMARY KEY (article_id, idx)
);

CREATE TABLE times (
    article_id     VARCHAR NOT NULL,
    idx            INTEGER NOT NULL,
    start_char     INTEGER NOT NULL,
    end_char       INTEGER NOT NULL,
    text           VARCHAR NOT NULL,
    date           DATE,
    date_precision VARCHAR NOT NULL,
    end_date       DATE,
    end_precision  VARCHAR,            -- NULL when the expression is not a range
    PRIMARY KEY (article_id, idx)
);

CREATE TABLE events (
    id               VARCHAR NOT NULL,
    article_id       VARCHAR NOT NULL,
    idx              INTEGER NOT NULL,
    type             VARCHAR NOT NULL,  -- PLOVER event type
    sentence_start   INTEGER NOT NULL,
    sentence_end     INTEGER NOT NULL,
    sentence_text    VARCHAR NOT NULL,
    trigger_start    INTEGER NOT NULL,
    trigger_end      INTEGER NOT NULL,
    trigger_text     VARCHAR NOT NULL,
    mode             VARCHAR,
    modality         VARCHAR,
    actor_text       VARCHAR,           -- actor_* all NULL when there is no actor
    actor_name       VARCHAR,
    actor_country    VARCHAR,
    actor_sector     VARCHAR,
    actor_kb_id      VARCHAR,
    target_text      VARCHAR,
    target_name      VARCHAR,
    target_country   VARCHAR,
    target_sector    VARCHAR,
    target_kb_id     VARCHAR,
    location_name    VARCHAR,           -- location_* all NULL when there is no place
    location_place_country VARCHAR,     -- Place.country
    location_kb_id   VARCHAR,
    location_lat     DOUBLE,
    location_lon     DOUBLE,
    location_country VARCHAR,           -- Event.location_country
    date             DATE,
    date_precision   VARCHAR NOT NULL,
    quantities       JSON,              -- [{value, unit, role, qualifier}], value as string
    claimed_by       VARCHAR,
    verification     VARCHAR,
    confidence       DOUBLE NOT NULL,
    stage            VARCHAR NOT NULL,
    PRIMARY KEY (article_id, idx)
);
CREATE INDEX events_id ON events (id);
CREATE INDEX events_type ON events (type);

CREATE TABLE aid_commitments (
    id             VARCHAR NOT NULL,
    article_id     VARCHAR NOT NULL,
    idx            INTEGER NOT NULL,
    evidence       JSON NOT NULL,       -- [{start, end, text}]
    donor          VARCHAR,
    recipient      VARCHAR,
    kind           VARCHAR,
    mechanism      VARCHAR,
    value          DECIMAL(38, 4),
    value_text     VARCHAR,
    currency       VARCHAR,
    usd_value      DECIMAL(38, 4),
    usd_value_text VARCHAR,
    qualifier      VARCHAR,
    status         VARCHAR,
    items          JSON,                -- [{system, quantity, qualifier, kb_id}], quantity as string
    announced_date DATE,
    announced_precision VARCHAR NOT NULL,
    confidence     DOUBLE NOT NULL,
    stage          VARCHAR NOT NULL,
    PRIMARY KEY (article_id, idx)
);
CREATE INDEX aid_commitments_id ON aid_commitments (id);

CREATE TABLE claims (
    id                VARCHAR NOT NULL,
    article_id        VARCHAR NOT NULL,
    idx               INTEGER NOT NULL,
    sentence_start    INTEGER NOT NULL,
    sentence_end      INTEGER NOT NULL,
    sentence_text     VARCHAR NOT NULL,
    content_start     INTEGER NOT NULL,
    content_end       INTEGER NOT NULL,
    content_text      VARCHAR NOT NULL,
    cue               VARCHAR NOT NULL,
    speaker_text      VARCHAR,          -- speaker_* all NULL when there is no speaker
    speaker_name      VARCHAR,
    speaker_country   VARCHAR,
    speaker_sector    VARCHAR,
    speaker_kb_id     VARCHAR,
    anonymous         BOOLEAN NOT NULL,
    verification      VARCHAR,
    verification_evidence JSON,         -- {start, end, text} or NULL
    confidence        DOUBLE NOT NULL,
    stage             VARCHAR NOT NULL,
    PRIMARY KEY (article_id, idx)
);
CREATE INDEX claims_id ON claims (id);

-- Cross-article results. Each save_* call replaces these tables' content (see store docs).

CREATE TABLE duplicate_groups (
    id         VARCHAR PRIMARY KEY,
    kind       VARCHAR NOT NULL,   -- exact, near
    similarity DOUBLE NOT NULL,
    outlets    VARCHAR[],
    urls       VARCHAR[]
);
CREATE TABLE duplicate_group_articles (
    group_id   VARCHAR NOT NULL,
    idx        INTEGER NOT NULL,
    article_id VARCHAR NOT NULL,
    PRIMARY KEY (group_id, idx)
);

CREATE TABLE incidents (
    id               VARCHAR PRIMARY KEY,
    type             VARCHAR NOT NULL,
    mode             VARCHAR,
    actor            VARCHAR,
    target           VARCHAR,
    location_name    VARCHAR,
    location_place_country VARCHAR,
    location_kb_id   VARCHAR,
    location_lat     DOUBLE,
    location_lon     DOUBLE,
    location_country VARCHAR,
    date             DATE,
    date_precision   VARCHAR NOT NULL,
    num_mentions     INTEGER NOT NULL,
    num_articles     INTEGER NOT NULL,
    num_sources      INTEGER NOT NULL,
    first_seen       TIMESTAMP,
    last_seen        TIMESTAMP,
    claimants        VARCHAR[],
    verification     VARCHAR
);
CREATE TABLE incident_events (
    incident_id VARCHAR NOT NULL,
    idx         INTEGER NOT NULL,
    event_id    VARCHAR NOT NULL,
    PRIMARY KEY (incident_id, idx)
);
CREATE TABLE incident_articles (
    incident_id VARCHAR NOT NULL,
    idx         INTEGER NOT NULL,
    article_id  VARCHAR NOT NULL,
    PRIMARY KEY (incident_id, idx)
);

CREATE TABLE merged_aid (
    id             VARCHAR PRIMARY KEY,
    donor          VARCHAR,
    recipient      VARCHAR,
    kind           VARCHAR,
    mechanism      VARCHAR,
    value          DECIMAL(38, 4),
    value_text     VARCHAR,
    currency       VARCHAR,
    usd_value      DECIMAL(38, 4),
    usd_value_text VARCHAR,
    status         VARCHAR           -- the latest
);
CREATE TABLE merged_aid_commitments (
    merged_id     VARCHAR NOT NULL,
    idx           INTEGER NOT NULL,
    commitment_id VARCHAR NOT NULL,
    PRIMARY KEY (merged_id, idx)
);
CREATE TABLE merged_aid_history (
    merged_id      VARCHAR NOT NULL,
    idx            INTEGER NOT NULL,
    status         VARCHAR NOT NULL,
    date           DATE,
    date_precision VARCHAR NOT NULL,
    article_id     VARCHAR NOT NULL,
    commitment_id  VARCHAR NOT NULL,
    evidence_start INTEGER NOT NULL,
    evidence_end   INTEGER NOT NULL,
    evidence_text  VARCHAR NOT NULL,
    PRIMARY KEY (merged_id, idx)
);

CREATE TABLE stories (
    id           VARCHAR PRIMARY KEY,
    label        VARCHAR NOT NULL,
    top_entities VARCHAR[],
    first_date   DATE,
    last_date    DATE
);
CREATE TABLE story_articles (
    story_id   VARCHAR NOT NULL,
    idx        INTEGER NOT NULL,
    article_id VARCHAR NOT NULL,
    PRIMARY KEY (story_id, idx)
);

-- One row per `veille run`, for `veille stats`.
CREATE TABLE runs (
    id          VARCHAR PRIMARY KEY,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    read        INTEGER,
    stored      INTEGER,
    known       INTEGER,
    skipped     INTEGER,
    failed      INTEGER
);
