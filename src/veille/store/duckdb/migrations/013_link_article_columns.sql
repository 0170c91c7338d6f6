-- 013: what linking reads of a stored article besides its blocking rows, as columns of
-- link_articles beside its whole record (veille.link.state.dated_records): its outlet,
-- url, publication date (the record's `published` JSON) and ingestion time. A run reads
-- them for the few articles it links again; reading them out of each record's JSON made
-- DuckDB decompress the blocks of the wide record column around every such article.
ALTER TABLE link_articles ADD COLUMN outlet VARCHAR;
ALTER TABLE link_articles ADD COLUMN url VARCHAR;
ALTER TABLE link_articles ADD COLUMN published VARCHAR;
ALTER TABLE link_articles ADD COLUMN ingested_at VARCHAR;
UPDATE link_articles SET
    outlet = record->>'$.outlet',
    url = record->>'$.url',
    published = record->'$.published',
    ingested_at = record->>'$.ingested_at';
