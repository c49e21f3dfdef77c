CREATE TABLE core_actionfield_by_id (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id BIGINT NOT NULL REFERENCES core_action (id),
    name TEXT NOT NULL,
    value TEXT NOT NULL
);
INSERT INTO core_actionfield_by_id (parent_id, name, value)
    SELECT parent_id, name, value FROM core_actionfield ORDER BY parent_id, position;
DROP TABLE core_actionfield;
ALTER TABLE core_actionfield_by_id RENAME TO core_actionfield;
CREATE INDEX core_actionfield_parent_idx ON core_actionfield (parent_id);
