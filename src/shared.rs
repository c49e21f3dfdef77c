//! `Shared<T>`: a value read on every request and replaced whole when staff save (staff
//! strings, privacy settings). Readers clone an `Arc` and never wait on a writer's work.

use std::sync::{Arc, RwLock};

#[derive(Debug, Default)]
pub struct Shared<T>(RwLock<Arc<T>>);

impl<T: Default> Shared<T> {
    pub fn new(value: T) -> Self {
        Self(RwLock::new(Arc::new(value)))
    }

    pub fn get(&self) -> Arc<T> {
        self.0.read().map(|g| Arc::clone(&g)).unwrap_or_default()
    }

    pub fn set(&self, value: T) {
        if let Ok(mut guard) = self.0.write() {
            *guard = Arc::new(value);
        }
    }
}
