-- 006: what the API and the dashboard read on every page, kept up to date when articles are
-- stored (veille.store.duckdb.readcounts) instead of recomputed over whole tables per request.
-- articles.num_events/num_claims: how many of each the article has.
-- events.place_date/place_precision: where timelines and date filters place the event: its
-- own date when known to the day, week or month, else its article's publication date at
-- those precisions, else NULL (both fixed when the article is stored).
-- entity_stats: one row per entity key (KB id, else name) with its most frequent name,
-- label and country and its mention and article counts.
ALTER TABLE articles ADD COLUMN num_events INTEGER DEFAULT 0;
ALTER TABLE articles ADD COLUMN num_claims INTEGER DEFAULT 0;
UPDATE articles SET num_events = c.n
FROM (SELECT article_id, count(*) AS n FROM events GROUP BY article_id) c
WHERE c.article_id = articles.id;
UPDATE articles SET num_claims = c.n
FROM (SELECT article_id, count(*) AS n FROM claims GROUP BY article_id) c
WHERE c.article_id = articles.id;

ALTER TABLE events ADD COLUMN place_date DATE;
ALTER TABLE events ADD COLUMN place_precision VARCHAR;
UPDATE events SET
    place_date = CASE WHEN events.date_precision IN ('day', 'week', 'month') THEN events.date
                      WHEN a.published_precision IN ('day', 'week', 'month')
                      THEN a.published_date END,
    place_precision = CASE WHEN events.date_precision IN ('day', 'week', 'month')
                           THEN events.date_precision
                           WHEN a.published_precision IN ('day', 'week', 'month')
                           THEN a.published_precision END
FROM articles a WHERE a.id = events.article_id;

CREATE TABLE entity_stats (
    key      VARCHAR PRIMARY KEY,  -- coalesce(kb_id, name)
    kb_id    VARCHAR,
    name     VARCHAR,
    label    VARCHAR,
    country  VARCHAR,
    mentions INTEGER NOT NULL,
    articles INTEGER NOT NULL
);
INSERT INTO entity_stats
SELECT coalesce(kb_id, name), any_value(kb_id), mode(name), mode(label), mode(country),
       count(*), count(DISTINCT article_id)
FROM entity_mentions GROUP BY coalesce(kb_id, name);
