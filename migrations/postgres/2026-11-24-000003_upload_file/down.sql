ALTER TABLE core_upload ADD COLUMN content TEXT NOT NULL DEFAULT '';
UPDATE core_upload SET content = COALESCE((SELECT f.content FROM core_uploadfile f WHERE f.upload_id = core_upload.id), '');
DROP TABLE core_uploadfile;
