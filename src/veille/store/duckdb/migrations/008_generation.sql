-- 008: a counter every write transaction of the store raises (DuckDBStore._write), so the
-- API can keep whole-store answers (stats, overview, timelines, aid totals) until the next
-- write instead of recomputing them per request.
CREATE TABLE store_generation (n BIGINT NOT NULL);
INSERT INTO store_generation VALUES (0);
