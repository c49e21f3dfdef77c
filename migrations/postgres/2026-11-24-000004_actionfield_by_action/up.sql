-- Custom action fields keyed by their action (issue 7): `(parent_id, position)` instead of
-- an id and a separate index on `parent_id`, as on SQLite (where the key also clusters the
-- table). `position` is the field's place in the request, so a name may repeat (a checkbox
-- list) and fields read back in order.
CREATE TABLE core_actionfield_by_action (
    parent_id BIGINT NOT NULL REFERENCES core_action (id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (parent_id, position)
);
INSERT INTO core_actionfield_by_action (parent_id, position, name, value)
    SELECT parent_id, ROW_NUMBER() OVER (PARTITION BY parent_id ORDER BY id) - 1, name, value
    FROM core_actionfield;
DROP TABLE core_actionfield;
ALTER TABLE core_actionfield_by_action RENAME TO core_actionfield;
ALTER INDEX core_actionfield_by_action_pkey RENAME TO core_actionfield_pkey;
