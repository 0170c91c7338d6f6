-- 004: what Veille watches (feeds, sitemaps, pages) and every item URL it has fetched.
-- `sources.kind` is NULL until the first fetch tells (feed, sitemap or page). `etag` and
-- `last_modified` are the validators of the last 200 answer, sent back as a conditional
-- GET. `error_count` counts consecutive failures: it spaces out the polls of a failing
-- source and returns to 0 on the next success.
CREATE TABLE sources (
    id             VARCHAR PRIMARY KEY,
    url            VARCHAR NOT NULL UNIQUE,
    name           VARCHAR,
    language       VARCHAR,
    every_seconds  INTEGER NOT NULL,
    kind           VARCHAR,
    added_at       TIMESTAMP NOT NULL,
    etag           VARCHAR,
    last_modified  VARCHAR,
    last_fetch_at  TIMESTAMP,
    last_status    VARCHAR,
    last_error     VARCHAR,
    last_new_at    TIMESTAMP,
    error_count    INTEGER NOT NULL DEFAULT 0,
    next_poll_at   TIMESTAMP,
    articles       INTEGER NOT NULL DEFAULT 0
);

-- One row per canonical item URL met in a feed or sitemap (or given to `veille run`), so
-- the same article reached from two feeds is fetched once. `raw_hash` names the fetched
-- bytes kept in <database>.raw/ (content-addressed). A transient failure is retried on
-- later polls until `attempts` reaches the limit.
CREATE TABLE fetched_urls (
    url         VARCHAR PRIMARY KEY,
    source_id   VARCHAR,
    first_seen  TIMESTAMP NOT NULL,
    last_try    TIMESTAMP NOT NULL,
    status      VARCHAR NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 1,
    raw_hash    VARCHAR,
    article_id  VARCHAR,
    detail      VARCHAR
);
