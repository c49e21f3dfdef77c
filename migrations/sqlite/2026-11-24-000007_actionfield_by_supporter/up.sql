-- Custom action fields clustered by supporter (issue 7): the key is `(user_id, parent_id,
-- position)`, so all of a person's fields sit together in the table's own b-tree and an
-- erase deletes them from a page or two. Keyed by action alone, a forget of a person
-- whose 100 actions were spread over months of other people's rewrote a page per action
-- (about 95 of the ~270 pages it wrote). An action's fields are found through the
-- action's supporter, which an action never changes; only an erase clears it, and the
-- erase removes the fields first, so no field belongs to an action without a person.
CREATE TABLE core_actionfield_by_supporter (
    user_id BIGINT NOT NULL REFERENCES core_user (id),
    parent_id BIGINT NOT NULL REFERENCES core_action (id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (user_id, parent_id, position)
) WITHOUT ROWID;
INSERT INTO core_actionfield_by_supporter (user_id, parent_id, position, name, value)
    SELECT a.user_id, f.parent_id, f.position, f.name, f.value
    FROM core_actionfield f JOIN core_action a ON a.id = f.parent_id
    WHERE a.user_id IS NOT NULL;
DROP TABLE core_actionfield;
ALTER TABLE core_actionfield_by_supporter RENAME TO core_actionfield;
