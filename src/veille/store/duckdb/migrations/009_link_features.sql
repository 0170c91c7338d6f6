-- 009: each article's story features (veille.link.stories.story_features): the feature
-- name ("e:" entity key or "t:" word), its weight before idf, in entry order (`idx`), and
-- the article's day ordinal (-1: unknown). Stories read these columns as arrays instead of
-- parsing every record. The link settings fingerprint changed with this version: the
-- next run rebuilds every blocking row.
CREATE TABLE link_features (
    article_id  VARCHAR NOT NULL,
    idx         INTEGER NOT NULL,
    feature     VARCHAR NOT NULL,
    raw         DOUBLE NOT NULL,
    day_ordinal INTEGER NOT NULL
);
