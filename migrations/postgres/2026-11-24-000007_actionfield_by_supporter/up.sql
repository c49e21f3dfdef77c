-- Custom action fields keyed by supporter first, `(user_id, parent_id, position)`, as on
-- SQLite (where the key also clusters the table; see its migration, issue 7). An action's
-- fields are found through the action's supporter.
CREATE TABLE core_actionfield_by_supporter (
    user_id BIGINT NOT NULL REFERENCES core_user (id),
    parent_id BIGINT NOT NULL REFERENCES core_action (id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (user_id, parent_id, position)
);
INSERT INTO core_actionfield_by_supporter (user_id, parent_id, position, name, value)
    SELECT a.user_id, f.parent_id, f.position, f.name, f.value
    FROM core_actionfield f JOIN core_action a ON a.id = f.parent_id
    WHERE a.user_id IS NOT NULL;
DROP TABLE core_actionfield;
ALTER TABLE core_actionfield_by_supporter RENAME TO core_actionfield;
ALTER INDEX core_actionfield_by_supporter_pkey RENAME TO core_actionfield_pkey;
