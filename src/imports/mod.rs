//! CSV uploads to import pages (SPEC P14, R1 `upload`/`uploaderror`, O3 `import`, G4).
//! An upload is stored whole (`core_upload.content`) after its header is checked, then a
//! worker runs every row through the action engine in chunks, recording per-row errors and
//! counting forgotten people's rows; progress commits with each chunk, so an upload
//! resumes after a restart. Owns `core_upload` and `core_uploaderror`; writes supporter
//! data only through `engine::process` and the engine's note step.

pub mod admin_list;
pub mod create;
pub mod csvfile;
pub mod run;
pub mod store;
pub mod worker;

pub use create::UploadRequest;
pub use run::{Progress, Runner, Step, CHUNK_ROWS};
pub use store::{UploadErrorRow, UploadRow};
pub use worker::ImportWorker;
