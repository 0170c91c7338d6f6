-- 012: counts by day for dated overviews and stats (veille.store.duckdb.daycounts), kept
-- when articles are stored instead of recounted over every event, claim and entity
-- mention per request. By the publication day of articles dated to the day, week or
-- month: articles per outlet, claims per verification, entities (mentions and articles)
-- and their forms (kb id, name, label, country). By each event's timeline place
-- (place_date/place_precision, NULL when none), type and coordinates: events. By
-- announcement day, else publication day: aid reports.
CREATE TABLE day_articles (day DATE, outlet VARCHAR, articles INTEGER NOT NULL);
CREATE TABLE day_claims (day DATE, verification VARCHAR, claims INTEGER NOT NULL);
CREATE TABLE day_entities (
    day      DATE,
    key      VARCHAR,  -- coalesce(kb_id, name)
    mentions INTEGER NOT NULL,
    articles INTEGER NOT NULL
);
CREATE TABLE day_entity_forms (
    day      DATE,
    key      VARCHAR,
    kb_id    VARCHAR,
    name     VARCHAR,
    label    VARCHAR,
    country  VARCHAR,
    mentions INTEGER NOT NULL
);
CREATE TABLE day_events (
    place_date      DATE,
    place_precision VARCHAR,
    type            VARCHAR,
    located         BOOLEAN,
    events          INTEGER NOT NULL
);
CREATE TABLE day_aid (day DATE, commitments INTEGER NOT NULL);

INSERT INTO day_articles BY NAME
SELECT a.published_date AS day, a.outlet, count(*) AS articles FROM articles a
WHERE a.published_precision IN ('day', 'week', 'month') GROUP BY ALL;
INSERT INTO day_claims BY NAME
SELECT a.published_date AS day, c.verification, count(*) AS claims FROM claims c
JOIN articles a ON a.id = c.article_id
WHERE a.published_precision IN ('day', 'week', 'month') GROUP BY ALL;
INSERT INTO day_entities BY NAME
SELECT a.published_date AS day, coalesce(m.kb_id, m.name) AS key, count(*) AS mentions,
       count(DISTINCT m.article_id) AS articles
FROM entity_mentions m JOIN articles a ON a.id = m.article_id
WHERE a.published_precision IN ('day', 'week', 'month') GROUP BY 1, 2;
INSERT INTO day_entity_forms BY NAME
SELECT a.published_date AS day, coalesce(m.kb_id, m.name) AS key, m.kb_id, m.name, m.label,
       m.country, count(*) AS mentions
FROM entity_mentions m JOIN articles a ON a.id = m.article_id
WHERE a.published_precision IN ('day', 'week', 'month') GROUP BY ALL;
INSERT INTO day_events BY NAME
SELECT e.place_date, e.place_precision, e.type, e.location_lat IS NOT NULL AS located,
       count(*) AS events
FROM events e GROUP BY ALL;
INSERT INTO day_aid BY NAME
SELECT coalesce(c.announced_date, a.published_date) AS day, count(*) AS commitments
FROM aid_commitments c LEFT JOIN articles a ON a.id = c.article_id GROUP BY ALL;
