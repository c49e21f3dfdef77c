//! Reading the `multipart/form-data` bodies of CSV uploads (SPEC P14, R1: the REST upload
//! resource and the admin's import form): every part with its name, file name and bytes.
//! The file part may be up to [`MAX_UPLOAD_BYTES`], any other part [`MAX_FIELD_BYTES`]; a
//! part over its limit is refused while it streams, not after it was held in memory. A body
//! holds one file part and at most [`MAX_PARTS`] parts, so that no body makes the server
//! hold more than one file's worth.

use actix_multipart::Multipart;
use futures_util::StreamExt as _;

use crate::error::AppError;

/// Largest upload accepted: about four million typical rows.
pub const MAX_UPLOAD_BYTES: usize = 256 << 20;
/// Longest text accepted in a part other than the file.
pub const MAX_FIELD_BYTES: usize = 4096;
/// Most parts accepted in one body (an upload form has a handful).
pub const MAX_PARTS: usize = 32;

/// One part of the body.
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub bytes: Vec<u8>,
}

impl Part {
    /// The part as text; `malformed` words the refusal of bytes that are not UTF-8.
    pub fn text(&self, malformed: fn(&str) -> AppError) -> Result<String, AppError> {
        String::from_utf8(self.bytes.clone()).map_err(|_| malformed(&format!("{} is not UTF-8 text", self.name)))
    }
}

/// Every part of `body`; the part named `file_part` is the file. `malformed` words the
/// refusal of a body that is not well-formed multipart.
pub async fn read_parts(
    mut body: Multipart,
    file_part: &str,
    malformed: fn(&str) -> AppError,
) -> Result<Vec<Part>, AppError> {
    let mut parts: Vec<Part> = vec![];
    while let Some(field) = body.next().await {
        if parts.len() == MAX_PARTS {
            return Err(malformed(&format!("the body has more than {MAX_PARTS} parts")));
        }
        let mut field = field.map_err(|e| malformed(&e.to_string()))?;
        let name = field.name().unwrap_or_default().to_owned();
        if name == file_part && parts.iter().any(|p| p.name == file_part) {
            return Err(malformed(&format!("the body has more than one {file_part} part")));
        }
        let filename = field.content_disposition().and_then(|d| d.get_filename()).map(str::to_owned);
        let limit = if name == file_part { MAX_UPLOAD_BYTES } else { MAX_FIELD_BYTES };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| malformed(&e.to_string()))?;
            if bytes.len() + chunk.len() > limit {
                return Err(AppError::PayloadTooLarge { limit });
            }
            bytes.extend_from_slice(&chunk);
        }
        parts.push(Part { name, filename, bytes });
    }
    Ok(parts)
}
