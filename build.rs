//! Rebuild when embedded files change: `include_dir!` (templatesets, static, locales) and
//! diesel's `embed_migrations!` read folders Cargo does not otherwise watch.

fn main() {
    for dir in ["templatesets", "static", "locales", "migrations"] {
        println!("cargo:rerun-if-changed={dir}");
    }
}
