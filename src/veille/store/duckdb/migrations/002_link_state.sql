-- 002: what cross-article linking (veille.link) keeps about each article it has seen, so
-- that a run only reads and hashes the new articles. `signature` is the MinHash of the
-- clean text (num_perm little-endian uint64 values) made with `signature_config`
-- ("shingle_size:num_perm"); `record` is veille.link.records.ArticleRecord.to_json().
CREATE TABLE link_articles (
    article_id       VARCHAR PRIMARY KEY,
    signature        BLOB NOT NULL,
    signature_config VARCHAR NOT NULL,
    record           JSON NOT NULL,
    linked_at        TIMESTAMP NOT NULL DEFAULT current_timestamp
);
