-- Back to fields keyed by their action alone.
CREATE TABLE core_actionfield_by_action (
    parent_id BIGINT NOT NULL REFERENCES core_action (id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (parent_id, position)
);
INSERT INTO core_actionfield_by_action (parent_id, position, name, value)
    SELECT parent_id, position, name, value FROM core_actionfield;
DROP TABLE core_actionfield;
ALTER TABLE core_actionfield_by_action RENAME TO core_actionfield;
ALTER INDEX core_actionfield_by_action_pkey RENAME TO core_actionfield_pkey;
