-- 010: stories kept incrementally (veille.link.stories, veille.link.incremental). Story
-- weights are local in time (idf over the articles within a few weeks of each one), so a
-- run recomputes only the pairs and label weights of the articles near the new ones.
-- `link_features.name/count`: an entity's display name (NULL for words) and the count
-- behind the weight; `link_story_articles`: every linked article's day ordinal (-1:
-- undated) and publication day (what a story's dates read); `story_pairs`: the article
-- pairs (a < b) whose cosine reaches the story threshold; `story_weights`: each entity
-- entry's label weight (mentions times its idf in the article's window). The link
-- settings fingerprint changed with this version: the next run rebuilds all of them.
ALTER TABLE link_features ADD COLUMN name VARCHAR;
ALTER TABLE link_features ADD COLUMN count INTEGER;
CREATE TABLE link_story_articles (
    article_id  VARCHAR NOT NULL,
    day_ordinal INTEGER NOT NULL,
    published   DATE
);
CREATE TABLE story_pairs (
    a      VARCHAR NOT NULL,
    b      VARCHAR NOT NULL,
    cosine DOUBLE NOT NULL
);
CREATE TABLE story_weights (
    article_id VARCHAR NOT NULL,
    idx        INTEGER NOT NULL,
    weight     DOUBLE NOT NULL
);
