-- An upload's file in its own table (issue 8): each chunk of an import updates its
-- upload's counters, and an UPDATE rewrites (on SQLite, reads and re-writes) the whole row,
-- so a file kept in `core_upload` made every chunk cost as much as the file is long.
CREATE TABLE core_uploadfile (
    upload_id BIGINT PRIMARY KEY REFERENCES core_upload (id),
    content TEXT NOT NULL
);
INSERT INTO core_uploadfile (upload_id, content) SELECT id, content FROM core_upload WHERE content <> '';
ALTER TABLE core_upload DROP COLUMN content;
