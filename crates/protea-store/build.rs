// `sqlx::migrate!` embeds the migration files at compile time; a new file
// must trigger a rebuild, which cargo does not know about by itself.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
