-- 011: each story's label totals by entity (veille.link.incremental): the sum of its
-- members' label weights for the entity (whole numbers: exact in any order) and its name
-- in the first member, by id, that mentions it. A story that grows adds its new members'
-- weights to these instead of summing every member's again. Written by the next link run
-- (the link settings fingerprint changed with this version: it rebuilds every story).
CREATE TABLE story_entities (
    story_id      VARCHAR NOT NULL,
    feature       VARCHAR NOT NULL,
    total         DOUBLE NOT NULL,
    first_article VARCHAR NOT NULL,
    name          VARCHAR
);
